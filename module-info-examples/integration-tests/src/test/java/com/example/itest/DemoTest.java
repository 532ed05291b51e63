// SPDX-License-Identifier: Apache-2.0
package com.example.itest;

import static com.example.itest.ChildJvm.jars;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's demo, run as demo.sh runs it: java --module-path ... -m com.example.demo/... */
class DemoTest {

    @Test
    void theDemoRunsOnEveryAvailableLoopAndShowsTheRogueRefused() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of(ChildJvm.java(), "--module-path", jars(n -> true),
                "-m", "com.example.demo/com.example.demo.Demo"), Duration.ofSeconds(60));

        assertThat(r.output(), r.exitCode(), is(0));
        assertThat(r.output(), r.lines().size(), lessThan(60));
        assertThat(r.output(), r.lines(), hasItem("  dev.loopwire.transport.udp.bind  simulated-1  -> SimUdpBinder (loop)"));
        assertThat(r.output(), r.lines().stream().filter(l -> l.startsWith("  selector-1   ReadinessHeartbeatProvider"))
                .findFirst().orElse(""), matchesPattern("  selector-1   ReadinessHeartbeatProvider  :\\d+ <-> :\\d+ up"));
        assertThat(r.output(), r.lines(), hasItem(
                "  simulated-1  UdpHeartbeatProvider        :49152 <-> :49153 up (virtual t=100ms)"));
        assertThat(r.output(), r.lines(), hasItem("  RogueUdpProvider passed over: foreign: com.example.rogue does not own"));
        // Every available loop (io_uring's completion loop too, where the kernel allows it) ran the heartbeat.
        long available = r.lines().stream().takeWhile(l -> !l.startsWith("Transport providers"))
                .filter(l -> l.matches("  \\S+ +prio +-?\\d+  available .*")).count();
        int at = r.lines().indexOf("Heartbeats over UDP (com.example.heartbeat) on every available loop:");
        List<String> beats = r.lines().subList(at + 1, at + 1 + (int) available);
        assertThat(r.output(), available >= 2, is(true));
        for (String line : beats) {
            assertThat(line, matchesPattern("  \\S+ +\\S+HeartbeatProvider +:\\d+ <-> :\\d+ up.*"));
        }
        assertThat(r.output(), r.lines(), hasItem("  UDP on selector-1 still resolves to ReadinessUdpProvider"));
    }
}
