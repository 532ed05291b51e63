// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.Timers;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmarks' bulk echo against the readiness provider, with the registration checked
 * between loop turns: a connection with bytes queued must wait for {@code OP_WRITE}; one whose
 * handler was last told "writable" (and so resumed) and whose input has not ended must read;
 * one that is paused must not. A lost write interest or a lost resume fails here at once, with
 * the state, instead of as a stall seconds later. The peer writes 64 KiB at a time and reads in
 * bursts with pauses, and sends its FIN while the server is most likely paused.
 */
class ReadinessBackPressureTest {

    /** The benchmark's handler, remembering what it was last told. */
    static final class Echo implements StreamHandler {
        final Map<TcpConnection, Boolean> lastWritable = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final AtomicInteger pauses = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public void onOpen(TcpConnection connection) {
            lastWritable.put(connection, true);
        }

        @Override
        public void onData(TcpConnection connection, ByteBuffer data) {
            if (!connection.write(data)) {
                errors.add(new AssertionError("write refused at " + connection.queuedBytes() + " bytes"));
            }
        }

        @Override
        public void onWritabilityChanged(TcpConnection connection, boolean writable) {
            lastWritable.put(connection, writable);
            if (writable) {
                connection.resumeReading();
            } else {
                pauses.incrementAndGet();
                connection.pauseReading();
            }
        }

        @Override
        public void onError(TcpConnection connection, Throwable error) {
            errors.add(error);
        }

        @Override
        public void onClose(TcpConnection connection) {
            lastWritable.remove(connection);
            closes.incrementAndGet();
        }
    }

    /** What the registration must be, given the connection's state; {@code null} if it is right. Loop thread. */
    static String violation(ReadinessConnection c, boolean lastWritable) {
        if (c.released()) {
            return null;
        }
        int ops = c.registeredInterest();
        if (ops < 0) {
            return null;
        }
        boolean write = (ops & SelectionKey.OP_WRITE) != 0;
        boolean read = (ops & SelectionKey.OP_READ) != 0;
        if (!c.queue.isEmpty() && !write) {
            return c + ": " + c.queue.bytes() + " bytes queued and no OP_WRITE (ops=" + ops + ")";
        }
        if (lastWritable && !c.isInputShutdown() && !read) {
            return c + ": told writable (so resumed) and input open, but no OP_READ (ops=" + ops + ", queued="
                    + c.queue.bytes() + ")";
        }
        if (read != c.readingNow()) {
            return c + ": OP_READ is " + read + " but readingNow() is " + c.readingNow();
        }
        return null;
    }

    @ParameterizedTest(name = "socket buffers {0} bytes (0: the kernel's)")
    @ValueSource(ints = {0, 4096})
    void theBulkEchoNeverLosesItsWriteInterestOrItsResume(int socketBuffers) throws Exception {
        TcpOptions.Builder b = TcpOptions.builder();
        if (socketBuffers > 0) {
            b.sendBufferSize(socketBuffers).receiveBufferSize(socketBuffers).writeBufferWaterMarks(8 << 10, 16 << 10);
        }
        TcpOptions options = b.build();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicLong checks = new AtomicLong();
        try (EventLoop loop = EventLoops.open("selector")) {
            Timers timers = loop.capability(Timers.class).orElseThrow();
            Echo echo = new Echo();
            TcpListener listener = Tcp.listen(new InetSocketAddress("127.0.0.1", 0), () -> echo, options, loop)
                    .toCompletableFuture().get(10, SECONDS);
            // Between turns every callback has returned: the registration must match the state.
            Runnable[] check = new Runnable[1];
            check[0] = () -> {
                checks.incrementAndGet();
                echo.lastWritable.forEach((c, writable) -> {
                    String v = violation((ReadinessConnection) c, writable);
                    if (v != null && violations.size() < 5) {
                        violations.add(v);
                    }
                });
                if (!loop.isClosed()) {
                    timers.schedule(Duration.ofMillis(1), check[0]);
                }
            };
            loop.execute(check[0]);
            Random random = new Random(socketBuffers + 7);
            for (int round = 0; round < 6; round++) {
                oneConnection(listener, echo, random.nextLong(), 16 << 20, socketBuffers, violations);
                assertThat("round " + round, List.copyOf(violations), is(empty()));
            }
            long deadline = System.nanoTime() + SECONDS.toNanos(20);
            while (echo.closes.get() < 6 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(echo.closes.get(), is(6));
            assertThat(List.copyOf(echo.errors), is(empty()));
            assertThat("the echo was paused at least once", echo.pauses.get() > 0, is(true));
            assertThat("the registration was checked", checks.get() > 10, is(true));
            listener.close().toCompletableFuture().get(10, SECONDS);
        }
    }

    private static void oneConnection(TcpListener listener, Echo echo, long seed, int total, int socketBuffers,
            ConcurrentLinkedQueue<String> violations) throws Exception {
        int pausesBefore = echo.pauses.get();
        byte[] pattern = new byte[251 + (64 << 10)];
        new Random(seed).nextBytes(pattern);
        try (Socket peer = new Socket()) {
            if (socketBuffers > 0) {
                peer.setReceiveBufferSize(socketBuffers);
                peer.setSendBufferSize(socketBuffers);
            }
            peer.connect(listener.localAddress(), 10_000);
            peer.setSoTimeout(20_000);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = peer.getOutputStream();
                    for (int sent = 0; sent < total; sent += 64 << 10) {
                        out.write(pattern, sent % 251, Math.min(64 << 10, total - sent));
                    }
                    // The FIN, while the server is most likely paused with a full queue.
                    peer.shutdownOutput();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Random bursts = new Random(seed ^ 1);
            InputStream in = peer.getInputStream();
            byte[] buffer = new byte[16 << 10];
            long received = 0;
            // Not reading at first, until every buffer on the way is full and the server has
            // paused (bounded); then bursts, with short pauses that let it fill again.
            long until = System.nanoTime() + SECONDS.toNanos(20);
            while (echo.pauses.get() == pausesBefore && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat("the server paused while the peer did not read", echo.pauses.get() > pausesBefore, is(true));
            while (true) {
                if (bursts.nextInt(16) == 0) {
                    Thread.sleep(bursts.nextInt(5));
                }
                int n;
                try {
                    n = in.read(buffer, 0, 1 + bursts.nextInt(buffer.length));
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("stalled after " + received + " of " + total + " bytes; " + violations, e);
                }
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    long at = received + i;
                    if (buffer[i] != pattern[(int) ((at / (64 << 10)) * (64 << 10) % 251 + at % (64 << 10))]) {
                        throw new AssertionError("byte " + at + " differs");
                    }
                }
                received += n;
            }
            writer.get(20, SECONDS);
            assertThat("bytes echoed before the server's FIN", received, is((long) total));
        }
    }
}
