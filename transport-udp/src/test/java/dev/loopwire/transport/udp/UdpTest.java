// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.V4;
import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The entry points: which loop they pick, and the key they resolve. */
class UdpTest {

    @Test
    void keyIsNamedAfterTheModule() {
        assertThat(Udp.BIND.name(), is("dev.loopwire.transport.udp.bind"));
        assertThat(Udp.BIND.type(), is(UdpBinder.class));
        assertThat(Udp.BIND.owner(), is("dev.loopwire.transport.udp"));
    }

    @Test
    void withoutALoopTheDefaultLoopIsUsedOffLoopThreads() throws Exception {
        DatagramEndpoint endpoint = await(Udp.bind(V4, new Recorder()));
        try {
            assertThat(endpoint.loop(), sameInstance(EventLoops.defaultLoop()));
        } finally {
            await(endpoint.close());
        }
    }

    @Test
    void withoutALoopTheCallersLoopIsUsedOnALoopThread() throws Exception {
        try (EventLoop loop = EventLoops.open("selector")) {
            CompletableFuture<DatagramEndpoint> opened = new CompletableFuture<>();
            loop.execute(() -> Udp.bind(V4, new Recorder(), UdpOptions.defaults()).whenComplete((e, t) -> {
                if (t != null) {
                    opened.completeExceptionally(t);
                } else {
                    opened.complete(e);
                }
            }));
            DatagramEndpoint endpoint = opened.get(10, SECONDS);
            assertThat(endpoint.loop(), sameInstance(loop));
            await(endpoint.close());
        }
    }

    @Test
    void aClosedLoopFailsTheStage() {
        EventLoop loop = EventLoops.open("selector");
        loop.close();
        var e = assertThrows(ExecutionException.class, () -> await(Udp.bind(V4, new Recorder(), loop)));
        assertThat(e.getCause() instanceof RejectedExecutionException, is(true));
        assertThat(e.getCause().getMessage(), is("Loop '" + loop.name() + "' is closed;"
                + " open the endpoint on a running loop"));
    }
}
