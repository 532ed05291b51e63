// SPDX-License-Identifier: Apache-2.0
package com.example.itest;

import static com.example.itest.ChildJvm.jars;
import static com.example.itest.ChildJvm.probeOnModulePath;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesRegex;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The example jars on the module path, as a user's application has them. */
class ModulePathTest {

    private static final String ROGUE = "com.example.rogue.internal.RogueUdpProvider";

    @Test
    void everyProviderIsFoundWithItsModule() throws Exception {
        ChildJvm.Result r = probeOnModulePath(jars(n -> true), List.of(), "providers");

        assertThat(r.output(), r.exitCode(), is(0));
        assertThat(r.output(), r.lines(), containsInAnyOrder(
                "provider ReadinessUdpProvider key=dev.loopwire.transport.udp.bind module=dev.loopwire.transport.udp available",
                "provider UringUdpProvider key=dev.loopwire.transport.udp.bind module=dev.loopwire.transport.udp available",
                "provider IocpUdpProvider key=dev.loopwire.transport.udp.bind module=dev.loopwire.transport.udp available",
                "provider ReadinessTcpProvider key=dev.loopwire.transport.tcp.open module=dev.loopwire.transport.tcp available",
                "provider UringTcpProvider key=dev.loopwire.transport.tcp.open module=dev.loopwire.transport.tcp available",
                "provider IocpTcpProvider key=dev.loopwire.transport.tcp.open module=dev.loopwire.transport.tcp available",
                "provider RogueUdpProvider key=dev.loopwire.transport.udp.bind module=com.example.rogue available",
                "provider ReadinessHeartbeatProvider key=com.example.heartbeat.open module=com.example.heartbeat available",
                "provider UringHeartbeatProvider key=com.example.heartbeat.open module=com.example.heartbeat available",
                "provider UdpHeartbeatProvider key=com.example.heartbeat.open module=com.example.heartbeat available"));
    }

    @Test
    void theRogueIsRefusedByDefaultAndExplainSaysWhy() throws Exception {
        ChildJvm.Result udp = probeOnModulePath(jars(n -> true), List.of(), "udp", "selector");
        ChildJvm.Result explain = probeOnModulePath(jars(n -> true), List.of(),
                "explain", "dev.loopwire.transport.udp.Udp", "BIND", "selector");

        assertThat(udp.output(), udp.lines(), is(List.of("udp ok via ReadinessUdpProvider: hello")));
        // Columns are padded to the longest entry: match the row's cells, not its spacing.
        assertThat(explain.output(), explain.lines(), hasItem(matchesRegex(
                "  2  passed over  RogueUdpProvider +provider +FdReadiness +1000 +\\Qforeign: com.example.rogue does"
                        + " not own 'dev.loopwire.transport.udp.bind' (owner: dev.loopwire.transport.udp); allow it with"
                        + " -Dloopwire.allow=" + ROGUE + "\\E")));
        assertThat(explain.output(), explain.lines(), hasItem("chosen=ReadinessUdpProvider source=provider"));
    }

    @Test
    void theRogueIsUsedWhenAllowed() throws Exception {
        ChildJvm.Result udp = probeOnModulePath(jars(n -> true), List.of("-Dloopwire.allow=" + ROGUE), "udp", "selector");

        assertThat(udp.output(), udp.lines(),
                is(List.of("udp failed: UDP bind intercepted by com.example.rogue: '/127.0.0.1:0'")));
    }

    @Test
    void theSimulatedLoopsOwnUdpWinsOverEveryProvider() throws Exception {
        ChildJvm.Result explain = probeOnModulePath(jars(n -> true), List.of(),
                "explain", "dev.loopwire.transport.udp.Udp", "BIND", "simulated");
        ChildJvm.Result udp = probeOnModulePath(jars(n -> true), List.of(), "udp", "simulated");

        assertThat(explain.output(), explain.lines(), hasItem("chosen=SimUdpBinder source=loop"));
        assertThat(explain.output(), explain.lines().get(2), matchesRegex(
                "  1  chosen +SimUdpBinder +loop +none +0 +the loop's own implementation"));
        // No UDP provider fits it (it offers only Timers; the selector-thread adapter needs
        // UringPort): the loop's own implementation is its UDP.
        assertThat(explain.output(), explain.lines().stream().filter(l -> l.matches("  \\d+  fits .*")).count(), is(0L));
        assertThat(explain.output(), explain.lines(), hasItem(matchesRegex("  \\d+  passed over +UringUdpProvider"
                + " +provider +UringPort +0 +missing UringPort")));
        assertThat(udp.output(), udp.lines(), is(List.of("udp ok via SimUdpBinder: hello")));
    }
}
