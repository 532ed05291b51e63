// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.get;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code endpoint.close()} and {@code send} from another thread while the loop is running but
 * its task queue is at its bound ({@code maxPendingTasks}), so that it refuses every hand-over:
 * the close is not lost (it begins once the loop has room), {@code onClose} runs once on the
 * loop thread, the accepted datagram is sent, and the port is free when the stage completes.
 * Before, a refused hand-over ran {@code onClose} on the caller's thread while the loop went on,
 * and the socket stayed open until the loop closed.
 */
class AttackUdpCloseTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);

    private static EventLoop openBounded(String kind, int maxPendingTasks) throws Exception {
        Class<?> type;
        try (EventLoop probe = AttackSupport.open(kind)) {
            type = probe.getClass();
        }
        Object builder = type.getMethod("builder").invoke(null);
        builder.getClass().getMethod("maxPendingTasks", int.class).invoke(builder, maxPendingTasks);
        return (EventLoop) builder.getClass().getMethod("open").invoke(builder);
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void closeAndSendWhileTheTaskQueueIsFullAreNotLostAndCloseOnTheLoopThread(String kind) throws Exception {
        try (EventLoop sinkLoop = AttackSupport.open(kind); EventLoop loop = openBounded(kind, 8)) {
            Recorder sinkRecorder = new Recorder();
            DatagramEndpoint sink = get(Udp.bind(V4, sinkRecorder, sinkLoop));
            AtomicInteger closes = new AtomicInteger();
            CompletableFuture<Boolean> closedOnLoop = new CompletableFuture<>();
            Recorder recorder = new Recorder() {
                @Override
                public void onClose(DatagramEndpoint endpoint) {
                    closes.incrementAndGet();
                    closedOnLoop.complete(endpoint.loop().inLoop());
                    super.onClose(endpoint);
                }
            };
            DatagramEndpoint endpoint = get(Udp.bind(V4, recorder, loop));
            InetSocketAddress port = endpoint.localAddress();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(blocked.await(10, SECONDS), is(true));
            boolean full = false;
            for (int i = 0; i < 100 && !full; i++) {
                try {
                    loop.execute(() -> { });
                } catch (RejectedExecutionException e) {
                    full = true;
                }
            }
            assertThat("the task queue is at its bound", full, is(true));
            CountDownLatch calling = new CountDownLatch(2);
            CompletableFuture<Boolean> sent = new CompletableFuture<>();
            CompletableFuture<CompletionStage<Void>> stage = new CompletableFuture<>();
            new Thread(() -> {
                calling.countDown();
                try {
                    sent.complete(endpoint.send(ByteBuffer.wrap("queued while full".getBytes()), sink.localAddress()));
                } catch (Throwable t) {
                    sent.completeExceptionally(t);
                }
                try {
                    stage.complete(endpoint.close());
                } catch (Throwable t) {
                    stage.completeExceptionally(t);
                }
            }).start();
            calling.countDown();
            assertThat(calling.await(10, SECONDS), is(true));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // the sender meets the full queue
            assertThat("no onClose while the loop thread is busy", closes.get(), is(0));
            release.countDown();
            assertThat("the send was accepted", sent.get(10, SECONDS), is(true));
            get(stage.get(10, SECONDS));
            assertThat("onClose on the loop thread", closedOnLoop.get(10, SECONDS), is(true));
            assertThat(closes.get(), is(1));
            byte[] arrived = sinkRecorder.datagrams.poll(10, SECONDS);
            assertThat(arrived == null ? null : new String(arrived), is("queued while full"));
            try (DatagramChannel again = DatagramChannel.open()) {
                again.bind(port); // the stage completed, so the port is free
            }
            assertThat("no error reported: " + recorder.errors, recorder.errors.isEmpty(), is(true));
            get(sink.close());
        }
    }
}
