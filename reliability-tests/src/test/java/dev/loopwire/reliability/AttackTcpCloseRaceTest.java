// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.get;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code close()} of a TCP listener and of a connection on one thread racing {@code loop.close()}
 * on another (the UDP race of issue #11, tried on TCP): the loop's close must return without
 * waiting out a bound (the loop's 10 s close timeout, TCP's 5 s flush bound at loop close),
 * {@code onClose} must run once, and the close stages must complete.
 */
class AttackTcpCloseRaceTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
    private static final int ROUNDS = 30;

    /** Runs {@code action} on a new thread once {@code go} opens; the future says how it ended. */
    private static CompletableFuture<Void> onThread(CountDownLatch go, ThrowingRunnable action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        new Thread(() -> {
            try {
                go.await();
                action.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }).start();
        return done;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Opens what is to be closed on {@code loop}; returns its close, run racing the loop's. */
    private interface SetUp {
        ThrowingRunnable open(EventLoop loop) throws Exception;
    }

    private static void race(String kind, String what, SetUp setUp) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            EventLoop loop = AttackSupport.open(kind);
            ThrowingRunnable closeIt = setUp.open(loop);
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Void> endpointSide = onThread(go, closeIt);
            CompletableFuture<Void> loopSide = onThread(go, loop::close);
            go.countDown();
            try {
                // Under both bounds (5 s flush, 10 s close timeout): a close that waits one out fails here.
                loopSide.get(4, SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(what + ", round " + round + ": loop.close() still waiting after 4 s: "
                        + loop, e);
            }
            endpointSide.get(10, SECONDS);
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void listenerCloseRacingLoopCloseEndsPromptly(String kind) throws Exception {
        race(kind, "listener", loop -> {
            TcpListener listener = get(Tcp.listen(V4, AttackTcpRecorder::new, loop));
            return () -> listener.close().toCompletableFuture().get(10, SECONDS);
        });
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void connectionCloseRacingLoopCloseEndsPromptlyWithOnCloseOnce(String kind) throws Exception {
        try (EventLoop serverLoop = AttackSupport.open(kind)) {
            TcpListener listener = get(Tcp.listen(V4, AttackTcpRecorder::new, serverLoop));
            race(kind, "connection", loop -> {
                AttackTcpRecorder client = new AttackTcpRecorder();
                TcpConnection connection = get(Tcp.connect(listener.localAddress(), client, loop));
                return () -> {
                    connection.close().toCompletableFuture().get(10, SECONDS);
                    client.closed.get(10, SECONDS);
                    assertThat("onClose calls", client.closes.get(), is(1));
                };
            });
            get(listener.close());
        }
    }
}
