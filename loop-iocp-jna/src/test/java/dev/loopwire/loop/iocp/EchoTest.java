package dev.loopwire.loop.iocp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.iocp.internal.NativeMemory;
import dev.loopwire.loop.iocp.internal.uring.UringBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loopback echoes through the whole loop: no datagram or buffer lost, every operation reaped,
 * every byte of native memory returned, and (a smoke check, not a timing) no allocation per
 * datagram on the loop thread once warm.
 */
class EchoTest {

    private static final int WINDOW = 128;

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
    }

    @Test
    void millionEchoesOnIpv4AllocateNothingPerDatagram() throws Exception {
        Echo echo = run(CompletionLoop::open, StandardProtocolFamily.INET,
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1_000_000);
        long steady = echo.allocatedAtEnd - echo.allocatedAtWarm;
        // 900,000 echoes are 1.8 million datagrams handled on the loop thread; a byte per
        // datagram would show here as megabytes.
        assertThat("bytes allocated on the loop thread in steady state: " + steady, steady < 100_000, is(true));
    }

    @Test
    void millionEchoesOnIpv6() throws Exception {
        run(CompletionLoop::open, StandardProtocolFamily.INET6, new InetSocketAddress(InetAddress.getByName("::1"), 0),
                1_000_000);
    }

    @Test
    void moreOperationsThanRingEntriesWrapTheRing() throws Exception {
        // Four SQEs for a window of 128 sends, two receives and their echoes: the ring fills in
        // the middle of a turn, is flushed, and wraps around thousands of times.
        run(() -> CompletionLoop.start(new UringBackend(4, 8, true), Thread::new), StandardProtocolFamily.INET, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 20_000);
    }

    @Test
    void postedReceivesWhereProvidedBuffersAreNotUsed() throws Exception {
        run(() -> CompletionLoop.start(new UringBackend(UringBackend.ENTRIES, 2048, false), Thread::new), StandardProtocolFamily.INET6, new InetSocketAddress(InetAddress.getByName("::1"), 0), 50_000);
    }

    private static Echo run(Callable<CompletionLoop> opener, ProtocolFamily family, InetSocketAddress bindTo,
            int total) throws Exception {
        long memoryBefore = NativeMemory.outstandingBytes();
        CompletionLoop loop = opener.call();
        Echo echo = new Echo(total, WINDOW);
        echo.warmAt = total / 10;
        try (loop) {
            loop.execute(() -> {
                try {
                    echo.start(loop, family, bindTo);
                } catch (Exception e) {
                    echo.done.completeExceptionally(e);
                }
            });
            echo.done.get(60, TimeUnit.SECONDS);
            assertThat(echo.bad, is(0L));
            assertThat(echo.received, is((long) total));
            assertThat(echo.serverRefused, is(0L));
            assertThat(echo.serverEchoed, is((long) total));
            OnLoop.run(loop, () -> {
                echo.client.close();
                echo.server.close();
            });
            // The sockets leave the loop's count only once every operation has been reaped.
            String state = loop.name() + "[sockets=0 inflight=0 timers=0 pending=0]";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!loop.toString().equals(state) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(loop.toString(), is(state));
        }
        assertThat("native bytes outstanding", NativeMemory.outstandingBytes(), is(memoryBefore));
        return echo;
    }
}
