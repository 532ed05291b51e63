// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Part of the stream contract (run it through {@link StreamContract}): an echo server that
 * applies back-pressure the way the API intends (pause reading when unwritable, resume when
 * writable) against a peer that writes continuously and reads slowly and in bursts, with small
 * socket buffers so that nearly every write is partial, and the peer's FIN arriving while the
 * server has stopped reading. Every byte must come back, and the server must close after the
 * FIN: a lost write interest or a lost resume shows up as a stall, reported with the state of
 * each connection.
 */
public abstract class StreamBackPressureContract extends StreamContractBase {

    /** For subclasses. */
    protected StreamBackPressureContract() {
    }

    /** How long one round may go without any byte moving before it counts as a stall. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The echo server of the benchmarks: write back, pause when unwritable, resume when writable. */
    static final class BackPressureEcho implements StreamHandler {
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<TcpConnection> open = new ConcurrentLinkedQueue<>();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger pauses = new AtomicInteger();
        /** Where the echo is written from: {@code null} for the loop thread, inside {@code onData}. */
        private final Executor writer;

        BackPressureEcho(Executor writer) {
            this.writer = writer;
        }

        @Override
        public void onOpen(TcpConnection connection) {
            open.add(connection);
        }

        @Override
        public void onData(TcpConnection connection, ByteBuffer data) {
            if (writer == null) {
                write(connection, data);
                return;
            }
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            writer.execute(() -> write(connection, copy));
        }

        @Override
        public boolean onEndOfInput(TcpConnection connection) {
            if (writer == null) {
                return false; // close once the queue is flushed, as the benchmarks' servers do
            }
            // Echoes may still wait in the writer: close after them (close refuses later writes).
            writer.execute(connection::close);
            return true;
        }

        private void write(TcpConnection connection, ByteBuffer data) {
            if (!connection.write(data)) {
                refused.incrementAndGet();
            }
        }

        @Override
        public void onWritabilityChanged(TcpConnection connection, boolean writable) {
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
            open.remove(connection);
            closes.incrementAndGet();
        }
    }

    /** One client connection: what it sent, what came back, whether its FIN is out and the server's came. */
    private static final class Peer {
        final SocketChannel channel;
        final SelectionKey key;
        final long total;
        final int seed;
        long sent;
        long received;
        boolean finSent;
        boolean finReceived;

        Peer(SocketChannel channel, SelectionKey key, long total, int seed) {
            this.channel = channel;
            this.key = key;
            this.total = total;
            this.seed = seed;
        }

        boolean done() {
            return finReceived;
        }

        @Override
        public String toString() {
            return "peer[sent=" + sent + "/" + total + " received=" + received + " finSent=" + finSent
                    + " finReceived=" + finReceived + "]";
        }
    }

    static byte patternByte(long index, int seed) {
        return (byte) (index * 31 + seed + (index >>> 13));
    }

    @Test
    void anEchoUnderBackPressureReturnsEveryByteAndClosesAfterAFinThatArrivesWhileReadingIsPaused() throws Exception {
        TcpOptions options = TcpOptions.builder().sendBufferSize(4 << 10).receiveBufferSize(4 << 10)
                .writeBufferWaterMarks(8 << 10, 16 << 10).readBufferSize(16 << 10).build();
        rounds(options, 10, 256 << 10, 12, null);
    }

    @Test
    void anEchoWrittenFromAnotherThreadWhileTheLoopFlushesReturnsEveryByteInOrder() throws Exception {
        // Writes from another thread queue and hand a flush to the loop, racing the loop's own
        // flushes, partial writes and interest changes.
        TcpOptions options = TcpOptions.builder().sendBufferSize(4 << 10).receiveBufferSize(4 << 10)
                .writeBufferWaterMarks(8 << 10, 16 << 10).readBufferSize(4 << 10).build();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            rounds(options, 6, 256 << 10, 14, writer);
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void aFinThatArrivesWhileReadingIsPausedIsSeenAfterTheDataOnceReadingResumes() throws Exception {
        StreamRecorder server = new StreamRecorder() {
            @Override
            public void onOpen(TcpConnection connection) {
                super.onOpen(connection);
                connection.pauseReading();
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.defaults());
        try (Socket peer = plainClient(listener)) {
            TcpConnection c = server.opened.get(20, TimeUnit.SECONDS);
            byte[] sent = pattern(200 << 10, 5);
            peer.getOutputStream().write(sent);
            peer.shutdownOutput();
            // Negative check: paused, so neither the data nor the FIN is seen (waiting longer only makes it stricter).
            sleep(300);
            assertThat(server.dataCalls.get(), is(0));
            assertThat(server.endOfInput.isDone(), is(false));
            assertThat(c.isInputShutdown(), is(false));
            c.resumeReading();
            assertThat(server.endOfInput.get(20, TimeUnit.SECONDS), is(true));
            assertThat(java.util.Arrays.equals(server.bytes(), sent), is(true));
            // The default onEndOfInput closes: the peer sees our FIN.
            assertThat(peer.getInputStream().read(), is(-1));
            assertThat(server.closed.get(20, TimeUnit.SECONDS), is(true));
            assertThat(List.copyOf(server.errors), is(empty()));
        }
        await(listener.close());
    }

    @Test
    void anEchoThatTurnsUnwritableOnEveryWriteStillReturnsEveryByteAndCloses() throws Exception {
        // Unwritable past 1 byte, writable only when empty, one small read per event: a pause or
        // a resume on nearly every callback.
        TcpOptions options = TcpOptions.builder().sendBufferSize(4 << 10).receiveBufferSize(4 << 10)
                .writeBufferWaterMarks(0, 1).readBufferSize(1000).readsPerEvent(1).build();
        rounds(options, 6, 256 << 10, 13, null);
    }

    private void rounds(TcpOptions options, int rounds, long bytesPerConnection, long seed, Executor writer)
            throws Exception {
        Random random = new Random(seed);
        for (int round = 0; round < rounds; round++) {
            BackPressureEcho echo = new BackPressureEcho(writer);
            TcpListener listener = listen(V4, () -> echo, options);
            try {
                runRound(listener, echo, 4, bytesPerConnection, random.nextLong(), "round " + round);
            } finally {
                await(listener.close());
            }
            assertThat("round " + round + ": the echo was paused", echo.pauses.get() > 0, is(true));
        }
    }

    private void runRound(TcpListener listener, BackPressureEcho echo, int connections, long total, long seed,
            String round) throws Exception {
        Random random = new Random(seed);
        List<Peer> peers = new ArrayList<>();
        ByteBuffer out = ByteBuffer.allocate(64 << 10);
        ByteBuffer in = ByteBuffer.allocate(64 << 10);
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < connections; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 10);
                channel.setOption(StandardSocketOptions.SO_SNDBUF, 16 << 10);
                channel.connect(listener.localAddress());
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                Peer p = new Peer(channel, key, total, i + 1);
                key.attach(p);
                peers.add(p);
            }
            long lastProgress = System.nanoTime();
            while (!peers.stream().allMatch(Peer::done)) {
                if (System.nanoTime() - lastProgress > STALL_NANOS) {
                    throw new AssertionError(round + ": nothing moved for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS)
                            + " s: " + peers + "; server: " + describe(echo));
                }
                // Bursty: the peer sometimes stops reading for a while, so the server's queue fills.
                boolean reading = random.nextInt(4) != 0;
                if (random.nextInt(8) == 0) {
                    sleep(random.nextInt(3));
                }
                selector.select(10);
                selector.selectedKeys().clear();
                for (Peer p : peers) {
                    if (p.finReceived) {
                        continue;
                    }
                    if (!p.finSent) {
                        if (p.sent < p.total) {
                            out.clear().limit((int) Math.min(out.capacity(), p.total - p.sent));
                            for (int i = 0; i < out.limit(); i++) {
                                out.put(i, patternByte(p.sent + i, p.seed));
                            }
                            int n = p.channel.write(out);
                            if (n > 0) {
                                p.sent += n;
                                lastProgress = System.nanoTime();
                            }
                        }
                        if (p.sent == p.total) {
                            // The FIN goes out at once, while the server's queue is likely full and its reading paused.
                            p.channel.shutdownOutput();
                            p.finSent = true;
                            p.key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (reading || p.finSent && random.nextBoolean()) {
                        int n = readSome(p, in, random.nextInt(3) + 1, round);
                        if (n != 0) {
                            lastProgress = System.nanoTime();
                        }
                    }
                }
            }
        } finally {
            for (Peer p : peers) {
                p.channel.close();
            }
        }
        // The server closes each connection after the peer's FIN and its echo; onClose follows.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (echo.closes.get() < connections && System.nanoTime() < deadline) {
            sleep(5);
        }
        assertThat(round + ": " + describe(echo), echo.closes.get(), is(connections));
        assertThat(round + ": errors", List.copyOf(echo.errors), is(empty()));
        assertThat(round + ": writes refused", echo.refused.get(), is(0));
    }

    /** Reads up to {@code bursts} times, checking every byte; returns the bytes read, or -1 at the server's FIN. */
    private static int readSome(Peer p, ByteBuffer in, int bursts, String round) throws IOException {
        int total = 0;
        for (int b = 0; b < bursts; b++) {
            in.clear();
            int n = p.channel.read(in);
            if (n < 0) {
                assertThat(round + ": the server closed before echoing everything: " + p, p.received, is(p.total));
                p.finReceived = true;
                return total == 0 ? -1 : total;
            }
            if (n == 0) {
                return total;
            }
            for (int i = 0; i < n; i++) {
                if (in.get(i) != patternByte(p.received + i, p.seed)) {
                    throw new AssertionError(round + ": byte " + (p.received + i) + " differs: " + p);
                }
            }
            p.received += n;
            total += n;
        }
        return total;
    }

    private static String describe(BackPressureEcho echo) {
        StringBuilder s = new StringBuilder("closes=" + echo.closes.get() + " pauses=" + echo.pauses.get()
                + " refused=" + echo.refused.get() + " errors=" + echo.errors);
        for (TcpConnection c : echo.open) {
            s.append(" [").append(c).append(" queued=").append(c.queuedBytes()).append(" writable=")
                    .append(c.isWritable()).append(" inputShut=").append(c.isInputShutdown()).append(" closed=")
                    .append(c.isClosed()).append(']');
        }
        return s.toString();
    }
}
