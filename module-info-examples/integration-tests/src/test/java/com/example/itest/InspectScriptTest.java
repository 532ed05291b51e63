// SPDX-License-Identifier: Apache-2.0
package com.example.itest;

import static com.example.itest.ChildJvm.jars;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs module-info-examples/inspect-providers.jsh in jshell, as the README says. */
class InspectScriptTest {

    @Test
    void theScriptPrintsLoopsProvidersAndTheMatrixAndExits() throws Exception {
        List<String> cmd = List.of(ChildJvm.JAVA_HOME.resolve("bin").resolve("jshell").toString(),
                "-J-Djava.util.prefs.userRoot=" + System.getProperty("java.io.tmpdir"),
                "--module-path", jars(n -> true), "--add-modules", "ALL-MODULE-PATH",
                ChildJvm.EXAMPLES.resolve("inspect-providers.jsh").toString());

        ChildJvm.Result r = ChildJvm.run(cmd, Duration.ofSeconds(90));

        assertThat(r.output(), r.exitCode(), is(0));
        assertThat(r.output(), not(containsString("Error:")));
        assertThat(r.output(), r.lines(), hasItem(
                "  selector        0  FdReadiness+Timers           available"));
        assertThat(r.output(), r.lines(), hasItem(
                "  simulated     -10  Timers                       available"));
        assertThat(r.output(), r.lines(), hasItem(
                "  RogueUdpProvider               dev.loopwire.transport.udp.bind   prio 1000  FdReadiness"));
        assertThat(r.output(), r.lines(), hasItem(
                "      com.example.heartbeat@0.1.0-SNAPSHOT (heartbeat-0.1.0-SNAPSHOT.jar)  available"));
        assertThat(r.output(), r.lines(), hasItem(
                "  SelectorThreadAdapter          offers FdReadiness                needs UringPort"));
        assertThat(r.output(), r.lines(), hasItem(
                "  dev.loopwire.transport.udp.bind   simulated-1   SimUdpBinder (loop)"));
        assertThat(r.output(), r.lines(), hasItem(
                "  com.example.heartbeat.open        selector-1    ReadinessHeartbeatProvider (provider)"));
        assertThat(r.output(), r.lines(), hasItem(
                "  com.example.heartbeat.open        simulated-1   UdpHeartbeatProvider (provider)"));
        for (String line : r.lines()) {
            assertThat(line, line.length(), lessThanOrEqualTo(100));
        }
    }
}
