// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.SoakTest.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.loop.completion.IoUring;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the selector-thread adapter (UDP's readiness provider on a completion loop, the
 * io_uring provider denied) when the loop's task queue is full for a moment: its helper thread
 * hands readiness events and deregistered cancellations over with {@code execute}, which a
 * bounded queue refuses while the loop is busy, though the loop is not closing.
 */
class AttackAdapterTest {

    private static final String COMPLETION_UDP = "dev.loopwire.transport.udp.internal.UringUdpProvider";
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

    @BeforeEach
    void throughTheAdapter() {
        Transports.deny(COMPLETION_UDP);
    }

    @AfterEach
    void restore() {
        Transports.clearOverrides();
    }

    private static CompletionLoop openSmallQueue() {
        if (!IoUring.isAvailable() && !System.getProperty("loopwire.require", "").contains("io_uring")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "io_uring unavailable");
        }
        return CompletionLoop.builder().name("attack-adapter").maxPendingTasks(8).open();
    }

    /**
     * Blocks the loop thread in a task that first fills the task queue to its bound, then runs
     * {@code onLoopWhenFull}; returns the latch that frees the loop thread.
     */
    private static CountDownLatch blockAndFill(CompletionLoop loop, Runnable onLoopWhenFull) throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> filled = new CompletableFuture<>();
        loop.execute(() -> {
            int n = 0;
            try {
                while (n < 100) {
                    loop.execute(() -> { });
                    n++;
                }
            } catch (RejectedExecutionException e) {
                // full: the helper thread's hand-over is refused from now on
            }
            filled.complete(n);
            onLoopWhenFull.run();
            blocked.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS), is(true));
        assertThat("the queue filled up to its bound", filled.get() < 100, is(true));
        return release;
    }

    @Test
    void aReadinessEventRefusedByAFullTaskQueueIsNotLost() throws Exception {
        CompletionLoop loop = openSmallQueue();
        try {
            Recorder rec = new Recorder();
            DatagramEndpoint endpoint = await(Udp.bind(ANY, rec, loop));
            assertThat(CloseReleasesSocketTest.throughAdapter(loop), is(true));
            CountDownLatch release = blockAndFill(loop, () -> { });
            try (DatagramChannel tx = DatagramChannel.open()) {
                tx.send(ByteBuffer.wrap(new byte[] {1}), endpoint.localAddress());
                // Give the helper thread time to see the datagram and try to hand it over.
                Thread.sleep(500);
                release.countDown();
                assertThat("the datagram that arrived while the queue was full",
                        rec.datagrams.poll(10, TimeUnit.SECONDS), notNullValue());
                tx.send(ByteBuffer.wrap(new byte[] {2}), endpoint.localAddress());
                assertThat("a datagram after the queue drained",
                        rec.datagrams.poll(10, TimeUnit.SECONDS), notNullValue());
            }
        } finally {
            closeBounded(loop);
        }
    }

    @Test
    void aCloseWhoseHandBackIsRefusedByAFullTaskQueueStillCompletesWhileTheLoopRuns() throws Exception {
        CompletionLoop loop = openSmallQueue();
        try {
            DatagramEndpoint endpoint = await(Udp.bind(ANY, new Recorder(), loop));
            assertThat(CloseReleasesSocketTest.throughAdapter(loop), is(true));
            InetSocketAddress port = endpoint.localAddress();
            CompletableFuture<CompletableFuture<Void>> closing = new CompletableFuture<>();
            CountDownLatch release = blockAndFill(loop,
                    () -> closing.complete(endpoint.close().toCompletableFuture()));
            // Give the helper thread time to deregister the key and try to hand the stage back.
            Thread.sleep(500);
            release.countDown();
            closing.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            assertThat("the loop is still running", loop.isClosed(), is(false));
            try (DatagramChannel again = DatagramChannel.open().bind(port)) {
                assertThat(again.getLocalAddress(), is(port));
            }
        } finally {
            closeBounded(loop);
        }
    }
}
