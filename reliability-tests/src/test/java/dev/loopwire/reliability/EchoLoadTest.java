// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Millions of datagrams through an echo on each loop kind, with a bounded window: every
 * datagram the client sent either came back or is counted by the kernel as dropped; the library
 * drops none; send refusals (queue full) are retried and counted apart; heap and (for the
 * completion loop) resident memory stay flat after warm-up.
 *
 * <p>Sizes: 10,000,000 datagrams per loop with {@code -Dloopwire.stress=full}, else 200,000.
 */
class EchoLoadTest {

    static final int WINDOW = 256;
    private static final long MIB = 1024 * 1024;

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void everyDatagramIsEchoedOrCountedByTheKernel(String kind) throws Exception {
        int total = Loops.size(10_000_000, 200_000);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        UdpOptions options = UdpOptions.builder().receiveBufferSize(4 << 20).sendBufferSize(4 << 20).build();
        try (EventLoop serverLoop = Loops.open(kind); EventLoop clientLoop = Loops.open(kind)) {
            EchoServer server = new EchoServer();
            DatagramEndpoint echo = Udp.bind(any, server, options, serverLoop).toCompletableFuture().get(10, SECONDS);
            WindowedClient client = new WindowedClient(echo.localAddress(), total, WINDOW);
            DatagramEndpoint self = Udp.bind(any, client, options, clientLoop).toCompletableFuture().get(10, SECONDS);

            long fdsBefore = Proc.openFds();
            Proc.UdpDrops dropsBefore = Proc.UdpDrops.now();
            long start = System.nanoTime();
            clientLoop.execute(client::start);
            long heapWarm = -1;
            long rssWarm = -1;
            long lastEchoes = -1;
            long lastProgress = System.nanoTime();
            long deadline = start + SECONDS.toNanos(Loops.full() ? 900 : 120);
            while (!client.done.isDone()) {
                try {
                    client.done.get(100, MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    // Poll progress below.
                }
                long echoes = client.echoes;
                if (heapWarm < 0 && echoes >= total / 4) {
                    heapWarm = Proc.usedHeapAfterGc();
                    rssWarm = Proc.rss();
                }
                if (echoes != lastEchoes) {
                    lastEchoes = echoes;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > MILLISECONDS.toNanos(500)) {
                    clientLoop.execute(client::stalled);
                    lastProgress = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no end after " + client.echoes + " of " + total + " echoes");
                }
            }
            client.done.get();
            long nanos = System.nanoTime() - start;
            long heapEnd = Proc.usedHeapAfterGc();
            long rssEnd = Proc.rss();
            Proc.UdpDrops kernel = Proc.UdpDrops.now().since(dropsBefore);
            long lost = total - client.echoes;
            long libraryDrops = Math.max(0, lost - kernel.dropped());

            System.out.printf("LOAD %s: datagrams=%,d echoes=%,d lost=%,d (declared %,d, late %,d) "
                    + "kernel[InErrors=%d RcvbufErrors=%d SndbufErrors=%d] libraryDrops=%d "
                    + "refusals[client=%d server=%d] duplicates=%d fds=%d->%d heap=%.1f->%.1f MiB "
                    + "rss=%.1f->%.1f MiB time=%.1f s (%,.0f echoes/s)%n",
                    kind, total, client.echoes, lost, client.declaredLost, client.late,
                    kernel.inErrors(), kernel.rcvbufErrors(), kernel.sndbufErrors(), libraryDrops,
                    client.refusals, server.refusals, client.duplicates, fdsBefore, Proc.openFds(),
                    heapWarm / (double) MIB, heapEnd / (double) MIB, rssWarm / (double) MIB,
                    rssEnd / (double) MIB, nanos / 1e9, client.echoes / (nanos / 1e9));

            assertThat("client errors", client.errors, is(empty()));
            assertThat("server errors", server.errors, is(empty()));
            assertThat("duplicates", client.duplicates, is(0L));
            assertThat("datagrams neither echoed nor counted by the kernel", libraryDrops, is(0L));
            assertThat("echoes + kernel drops account for every datagram", lost, lessThanOrEqualTo(kernel.dropped()));
            assertThat("used heap growth after warm-up (bytes)", heapEnd - heapWarm, lessThan(16 * MIB));
            if (kind.equals("completion")) {
                assertThat("resident memory growth after warm-up (bytes)", rssEnd - rssWarm, lessThan(64 * MIB));
            }
            self.close().toCompletableFuture().get(10, SECONDS);
            echo.close().toCompletableFuture().get(10, SECONDS);
        }
    }
}
