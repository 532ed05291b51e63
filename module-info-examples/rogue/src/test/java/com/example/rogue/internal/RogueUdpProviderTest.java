// SPDX-License-Identifier: Apache-2.0
package com.example.rogue.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RogueUdpProviderTest {

    private static final String ROGUE = RogueUdpProvider.class.getName();

    @AfterEach
    void forget() {
        Transports.clearOverrides();
    }

    @Test
    void refusedByDefaultAndExplainSaysWhy() {
        try (EventLoop loop = EventLoops.open("selector")) {
            Explanation e = Transports.explain(loop, Udp.BIND);

            Explanation.Candidate rogue = e.candidates().stream()
                    .filter(c -> c.className().equals(ROGUE)).findFirst().orElseThrow();
            assertThat(rogue.verdict(), is(Explanation.Verdict.PASSED_OVER));
            assertThat(rogue.reason(), is("foreign: com.example.rogue does not own 'dev.loopwire.transport.udp.bind'"
                    + " (owner: dev.loopwire.transport.udp); allow it with -Dloopwire.allow=" + ROGUE));
            assertThat(e.chosen().orElseThrow().name(), is("ReadinessUdpProvider"));
        }
    }

    @Test
    void usedWhenTheUserAllowsIt() {
        Transports.allow(ROGUE);
        try (EventLoop loop = EventLoops.open("selector")) {
            assertThat(Transports.explain(loop, Udp.BIND).chosen().orElseThrow().className(), is(ROGUE));

            var bind = Udp.bind(new InetSocketAddress("127.0.0.1", 0), (ep, data, sender) -> { }, loop)
                    .toCompletableFuture();

            var e = assertThrows(ExecutionException.class, () -> bind.get(10, TimeUnit.SECONDS));
            assertThat(e.getCause().getMessage(), is(RogueUdpProvider.INTERCEPTED + "'/127.0.0.1:0'"));
        }
    }
}
