// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringPort;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOpener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Opens io_uring connections and listeners on one loop, and holds what they share on its
 * thread: the pool of direct chunks the write queues copy into (sends name them as they are), and
 * the read-only views of the shared provided buffers handed to {@code onData}.
 *
 * <p>Thread-safe: sockets are opened on the loop thread; the shared state is touched there only.
 */
final class UringTcpOpener implements TcpOpener {

    /**
     * The largest provided-buffer size asked of the loop: {@code readBufferSize} is capped here.
     * The loop's groups hold about 4 MiB each, so 64 KiB buffers make a group of 64, shared by
     * every connection of the loop that reads with that size; larger buffers would leave too few
     * for many connections (a dry group ends receives with {@code -ENOBUFS}, re-armed at once).
     */
    static final int MAX_RECEIVE_BUFFER = 64 << 10;

    /** Bytes per pooled copy chunk: what one queue entry holds at most. */
    static final int CHUNK_SIZE = 64 << 10;
    /** Idle chunks kept for reuse per loop (4 MiB); more are left to the garbage collector. */
    private static final int CHUNKS_KEPT = 64;

    final EventLoop loop;
    final UringPort port;
    final PosixCalls posix;
    final Timers timers;
    final ByteBuffer[] gather = new ByteBuffer[ReadinessTcpOpener.MAX_GATHER];
    final int[] lengths = new int[ReadinessTcpOpener.MAX_GATHER];
    /** The queue copies of every connection on this loop: pooled direct chunks, see {@link Chunks}. */
    final WriteQueue.Copies chunks = new Chunks();
    /** What connections received while paused, until resumed: see {@link HeldBytes}. */
    final HeldBytes.Pool heldChunks = new HeldBytes.Pool(CHUNK_SIZE, CHUNKS_KEPT);
    private final Map<Integer, ByteBuffer[]> views = new HashMap<>();

    UringTcpOpener(EventLoop loop, UringPort port, Timers timers) {
        this.loop = loop;
        this.port = port;
        this.posix = port.posix();
        this.timers = timers;
    }

    @Override
    public CompletionStage<TcpConnection> connect(InetSocketAddress local, InetSocketAddress remote,
            StreamHandler handler, TcpOptions options) {
        return SocketSetup.onLoop(loop, result -> connectOnLoop(local, remote, handler, options, result));
    }

    private void connectOnLoop(InetSocketAddress local, InetSocketAddress remote, StreamHandler handler,
            TcpOptions options, CompletableFuture<TcpConnection> result) {
        if (!options.connectTimeout().isZero() && timers == null) {
            result.completeExceptionally(new UnsupportedOperationException("Loop '" + loop.name()
                    + "' offers no Timers, so connectTimeout '" + options.connectTimeout()
                    + "' cannot be kept; set TcpOptions.connectTimeout(Duration.ZERO)"));
            return;
        }
        int fd = -1;
        try {
            boolean ipv6 = TcpChecks.family(local, remote) == StandardProtocolFamily.INET6;
            fd = socket(ipv6);
            SocketSetup.connection(options(fd), UringSockets.SUPPORTED, options);
            if (local != null) {
                UringSockets.set(posix, fd, StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                posix.bind(fd, local);
            }
            UringConnection c = new UringConnection(this, fd, ipv6, handler, options);
            fd = -1; // the connection owns it now, and closes it on every path
            c.connect(remote, result);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd, e);
            result.completeExceptionally(e);
        }
    }

    @Override
    public CompletionStage<TcpListener> listen(InetSocketAddress local, Supplier<? extends StreamHandler> handlers,
            TcpOptions options) {
        return SocketSetup.onLoop(loop, result -> listenOnLoop(local, handlers, options, result));
    }

    private void listenOnLoop(InetSocketAddress local, Supplier<? extends StreamHandler> handlers, TcpOptions options,
            CompletableFuture<TcpListener> result) {
        int fd = -1;
        try {
            boolean ipv6 = TcpChecks.family(local, null) == StandardProtocolFamily.INET6;
            fd = socket(ipv6);
            SocketSetup.listener(options(fd), UringSockets.SUPPORTED, options);
            posix.bind(fd, local);
            posix.listen(fd, options.backlog());
            UringListener listener = new UringListener(this, fd, ipv6, handlers, options);
            fd = -1;
            listener.start();
            result.complete(listener);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd, e);
            result.completeExceptionally(e);
        }
    }

    private int socket(boolean ipv6) throws IOException {
        return posix.socket(ipv6 ? PosixCalls.AF_INET6 : PosixCalls.AF_INET,
                PosixCalls.SOCK_STREAM | PosixCalls.SOCK_NONBLOCK, 0);
    }

    /** {@link SocketSetup}'s option setter for a native socket. */
    SocketSetup.Options options(int fd) {
        return new SocketSetup.Options() {
            @Override
            public <T> void set(SocketOption<T> option, T value) throws IOException {
                UringSockets.set(posix, fd, option, value);
            }
        };
    }

    /**
     * The write queues' copies: direct chunks of {@link #CHUNK_SIZE} bytes, pooled per loop, so
     * that a send names them as they are (io_uring cannot name heap memory: no second copy into a
     * staging buffer) and a write allocates nothing once the pool is warm. Queues append later
     * writes into a chunk's free room, so small writes share one chunk and one send.
     *
     * <p>At most {@link #CHUNKS_KEPT} whole chunks are out at once per loop; past that a copy gets
     * a direct buffer of exactly its size. Without that bound, tiny copies that cannot share a
     * chunk (each behind a {@code writeNoCopy} buffer) would each hold 64 KiB: 2 GiB of direct
     * memory for 128 KiB queued, as an attack test measured.
     *
     * <p>Thread-safe: writers on other threads take chunks too (under their queue's lock).
     */
    private static final class Chunks implements WriteQueue.Copies {
        private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();
        private int out;

        @Override
        public ByteBuffer take(int bytes) {
            synchronized (this) {
                ByteBuffer b = idle.pollFirst();
                if (b != null) {
                    out++;
                    return b.clear().limit(0);
                }
                if (out < CHUNKS_KEPT) {
                    out++;
                    return ByteBuffer.allocateDirect(CHUNK_SIZE).limit(0);
                }
            }
            return ByteBuffer.allocateDirect(Math.min(bytes, CHUNK_SIZE)).limit(0);
        }

        @Override
        public void giveBack(ByteBuffer copy) {
            synchronized (this) {
                if (forgot(copy) && idle.size() < CHUNKS_KEPT) {
                    idle.addFirst(copy);
                }
            }
        }

        @Override
        public void forget(ByteBuffer copy) {
            synchronized (this) {
                forgot(copy);
            }
        }

        /** Counts a whole chunk as no longer out; false for an exact-size copy. */
        private boolean forgot(ByteBuffer copy) {
            if (copy.capacity() != CHUNK_SIZE) {
                return false;
            }
            out--;
            return true;
        }
    }

    /**
     * The read-only views of a group's buffers, by buffer id, made on first use: {@code onData}
     * gets a read-only view (as on the readiness provider) without an allocation per read.
     */
    ByteBuffer[] views(UringBufferGroup group) {
        return views.computeIfAbsent(group.id(), id -> new ByteBuffer[group.count()]);
    }

    /** Closes an fd that no registration holds, adding a failure to {@code into}. */
    void closeQuietly(int fd, Throwable into) {
        if (fd < 0) {
            return;
        }
        try {
            posix.close(fd);
        } catch (IOException | RuntimeException e) {
            if (into != null) {
                into.addSuppressed(e);
            }
        }
    }

    @Override
    public String toString() {
        return "UringTcpOpener[" + loop.name() + "]";
    }
}
