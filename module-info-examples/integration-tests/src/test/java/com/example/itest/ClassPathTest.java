// SPDX-License-Identifier: Apache-2.0
package com.example.itest;

import static com.example.itest.ChildJvm.jars;
import static com.example.itest.ChildJvm.probeOnClassPath;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same jars on the class path: module-info is not read, so discovery rests on the
 * META-INF/services files that {@code @AutoService} wrote. The same providers must be found.
 */
class ClassPathTest {

    @Test
    void theSameProvidersAreFoundThroughMetaInfServices() throws Exception {
        ChildJvm.Result r = probeOnClassPath(jars(n -> true), "providers");

        assertThat(r.output(), r.exitCode(), is(0));
        assertThat(r.output(), r.lines(), containsInAnyOrder(
                "provider ReadinessUdpProvider key=dev.loopwire.transport.udp.bind module=class path available",
                "provider UringUdpProvider key=dev.loopwire.transport.udp.bind module=class path available",
                "provider IocpUdpProvider key=dev.loopwire.transport.udp.bind module=class path available",
                "provider ReadinessTcpProvider key=dev.loopwire.transport.tcp.open module=class path available",
                "provider UringTcpProvider key=dev.loopwire.transport.tcp.open module=class path available",
                "provider IocpTcpProvider key=dev.loopwire.transport.tcp.open module=class path available",
                "provider RogueUdpProvider key=dev.loopwire.transport.udp.bind module=class path available",
                "provider ReadinessHeartbeatProvider key=com.example.heartbeat.open module=class path available",
                "provider UringHeartbeatProvider key=com.example.heartbeat.open module=class path available",
                "provider UdpHeartbeatProvider key=com.example.heartbeat.open module=class path available"));
    }

    @Test
    void keysResolveAsOnTheModulePath() throws Exception {
        ChildJvm.Result heartbeat = probeOnClassPath(jars(n -> true),
                "explain", "com.example.heartbeat.Heartbeat", "OPEN", "selector");
        ChildJvm.Result udp = probeOnClassPath(jars(n -> true), "udp", "selector");
        ChildJvm.Result sim = probeOnClassPath(jars(n -> true), "udp", "simulated");
        ChildJvm.Result rogue = probeOnClassPath(jars(n -> true),
                "explain", "dev.loopwire.transport.udp.Udp", "BIND", "selector");

        assertThat(heartbeat.output(), heartbeat.lines(), hasItem("chosen=ReadinessHeartbeatProvider source=provider"));
        assertThat(udp.output(), udp.lines(), is(List.of("udp ok via ReadinessUdpProvider: hello")));
        assertThat(sim.output(), sim.lines(), is(List.of("udp ok via SimUdpBinder: hello")));
        // On the class path the owner is the jar of the key's type: the rogue's jar is another one.
        assertThat(rogue.output(), rogue.lines().stream().anyMatch(l -> l.contains("passed over  RogueUdpProvider")
                && l.contains("foreign: class path (rogue-")
                && l.contains(" does not own 'dev.loopwire.transport.udp.bind' (owner: class path (transport-udp-")
                && l.endsWith("; allow it with -Dloopwire.allow=com.example.rogue.internal.RogueUdpProvider")),
                is(true));
    }
}
