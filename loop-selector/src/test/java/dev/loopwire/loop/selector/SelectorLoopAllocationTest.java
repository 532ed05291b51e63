// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;

import dev.loopwire.loop.FdReadiness;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loop turn driven by readiness allocates nothing: one datagram per turn (the test waits for
 * each before it sends the next), the loop thread's allocated bytes read before and after.
 */
class SelectorLoopAllocationTest {

    private static final int WARM_UP = 5_000;
    private static final int TURNS = 10_000;

    private final SelectorLoop loop = SelectorLoop.open();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    @Test
    void aTurnThatHandlesOneReadyChannelAllocatesNothing() throws Exception {
        DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        server.configureBlocking(false);
        ByteBuffer buffer = ByteBuffer.allocateDirect(64);
        AtomicInteger received = new AtomicInteger();
        CompletableFuture<Long> threadId = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                threadId.complete(Thread.currentThread().getId());
                loop.capability(FdReadiness.class).orElseThrow().register(server, SelectionKey.OP_READ, (r, ops) -> {
                    try {
                        // The JDK reuses the sender address of a returning peer: no allocation here.
                        while (server.receive(buffer.clear()) != null) {
                            received.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (IOException e) {
                threadId.completeExceptionally(e);
            }
        });
        long loopThread = threadId.get(10, SECONDS);
        try (DatagramChannel client = DatagramChannel.open()) {
            client.connect(server.getLocalAddress());
            ByteBuffer datagram = ByteBuffer.allocateDirect(16);
            oneAtATime(client, datagram, received, WARM_UP);
            // The best of three windows: the JVM itself may allocate on the thread now and then
            // (a compilation finishing, say); the loop's own allocation would show in every window.
            long best = Long.MAX_VALUE;
            for (int window = 0; window < 3; window++) {
                long before = allocated(loopThread);
                oneAtATime(client, datagram, received, TURNS);
                best = Math.min(best, allocated(loopThread) - before);
            }
            // Before: 56 bytes a turn (a node of the selected-key set and the copy of it), over
            // 500 kB a window.
            assertThat("bytes allocated by the loop thread in the best window of " + TURNS + " turns", best,
                    lessThan((long) TURNS / 10));
        } finally {
            server.close();
        }
    }

    /** Sends n datagrams, each once the loop has handled the one before: one turn each. */
    private static void oneAtATime(DatagramChannel client, ByteBuffer datagram, AtomicInteger received, int n)
            throws IOException {
        for (int i = 0; i < n; i++) {
            int expected = received.get() + 1;
            client.write(datagram.clear());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.get() < expected) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("datagram " + i + " not handled by the loop within 10 s");
                }
                LockSupport.parkNanos(10_000);
            }
        }
    }

    /** Bytes allocated so far by a thread; reflectively, as this module does not read jdk.management. */
    private static long allocated(long threadId) throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method bytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        return (Long) bytes.invoke(bean, threadId);
    }
}
