// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.V4;
import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.UringPort;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code endpoint.close()} on a user thread racing {@code loop.close()} on another (issue #11,
 * leftovers): the loop must not wait out its 10 s close timeout for an endpoint whose close was
 * refused by the closing loop, must not leak native memory, and the endpoint must call
 * {@code onClose} exactly once and complete its close stage. Before the fix, a refused hand-over
 * left the io_uring registration open: the loop turned for its whole close timeout, then logged
 * "closed with 0 operation(s) in flight ... leaking their memory".
 */
class EndpointAndLoopCloseRaceTest {

    private static final int ROUNDS = 60;

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void endpointCloseRacingLoopCloseEndsPromptlyOnceAndReleasesEverything(Supplier<EventLoop> loops)
            throws Exception {
        try (EventLoop sinkLoop = loops.get()) {
            Recorder sinkRecorder = new Recorder();
            DatagramEndpoint sink = await(Udp.bind(V4, sinkRecorder, sinkLoop));
            for (int round = 0; round < ROUNDS; round++) {
                int thisRound = round;
                EventLoop loop = loops.get();
                long baseline = allocated(loop);
                AtomicInteger onClose = new AtomicInteger();
                Recorder recorder = new Recorder() {
                    @Override
                    public void onClose(DatagramEndpoint endpoint) {
                        onClose.incrementAndGet();
                        super.onClose(endpoint);
                    }
                };
                DatagramEndpoint endpoint = await(Udp.bind(V4, recorder, loop));
                for (int i = 0; i < 3; i++) {
                    endpoint.send(ByteBuffer.allocate(32), sink.localAddress());
                }
                CountDownLatch go = new CountDownLatch(1);
                CompletableFuture<Void> endpointClosed = new CompletableFuture<>();
                CompletableFuture<Void> loopClosed = new CompletableFuture<>();
                Thread a = new Thread(() -> {
                    try {
                        go.await();
                        endpoint.close().whenComplete((v, e) -> endpointClosed.complete(null));
                    } catch (Throwable t) {
                        endpointClosed.completeExceptionally(t);
                    }
                });
                Thread b = new Thread(() -> {
                    try {
                        go.await();
                        if (thisRound % 2 == 0) {
                            Thread.onSpinWait();
                        }
                        loop.close();
                        loopClosed.complete(null);
                    } catch (Throwable t) {
                        loopClosed.completeExceptionally(t);
                    }
                });
                a.start();
                b.start();
                go.countDown();
                try {
                    // Well inside the loop's 10 s close timeout: a loop that waits it out fails here.
                    loopClosed.get(5, SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("round " + round + ": loop.close() still waiting after 5 s "
                            + "(it waits out its close timeout): " + loop, e);
                }
                endpointClosed.get(5, SECONDS);
                a.join(5_000);
                b.join(5_000);
                assertThat("round " + round + ": onClose calls", onClose.get(), is(1));
                assertThat("round " + round + ": native memory back to baseline", allocated(loop), is(baseline));
                assertThat(endpoint.isClosed(), is(true));
            }
            await(sink.close());
        }
    }

    /** The loop's native-memory counter, or 0 for a loop without one. */
    private static long allocated(EventLoop loop) {
        return loop.capability(UringPort.class).map(UringPort::allocatedBytes).orElse(0L);
    }
}
