// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOpener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Opens readiness connections and listeners on one loop, and holds what they share on that
 * loop's thread: the read buffer handed to {@code onData} (one per loop, since only one
 * connection reads at a time and the data is valid during the call only) and the array for
 * gathering writes.
 *
 * <p>Thread-safe: sockets are opened on the loop thread; the shared buffers are touched there only.
 */
final class ReadinessTcpOpener implements TcpOpener {

    /** The most buffers in one gathering write; Linux's IOV_MAX is 1,024. */
    static final int MAX_GATHER = 64;
    private static final Duration RELEASE_POLL = Duration.ofMillis(1);

    final EventLoop loop;
    final FdReadiness readiness;
    final Timers timers;
    final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private ByteBuffer readBuffer;
    private ByteBuffer readView;

    ReadinessTcpOpener(EventLoop loop, FdReadiness readiness, Timers timers) {
        this.loop = loop;
        this.readiness = readiness;
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
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(TcpChecks.family(local, remote));
            SocketSetup.connection(channel, options);
            if (local != null) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                channel.bind(local);
            }
            channel.configureBlocking(false);
            new ReadinessConnection(this, channel, handler, options).connect(remote, result);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
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
        ServerSocketChannel channel = null;
        try {
            channel = ServerSocketChannel.open(TcpChecks.family(local, null));
            SocketSetup.listener(channel::setOption, channel.supportedOptions(), options);
            channel.bind(local, options.backlog());
            channel.configureBlocking(false);
            ReadinessListener listener = new ReadinessListener(this, channel, handlers, options);
            listener.start();
            result.complete(listener);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            result.completeExceptionally(e);
        }
    }

    /** The loop's read buffer, cleared, with room for {@code size} bytes; loop thread. */
    ByteBuffer readBuffer(int size) {
        if (readBuffer == null || readBuffer.capacity() < size) {
            readBuffer = ByteBuffer.allocateDirect(size);
            readView = readBuffer.asReadOnlyBuffer();
        }
        return readBuffer.clear().limit(size);
    }

    /**
     * The first {@code bytes} bytes just read into {@link #readBuffer}, as a read-only view for
     * {@code onData}: the buffer is reused by every connection of the loop, so a handler must
     * neither write into it nor hand it to {@code writeNoCopy}, which refuses read-only buffers.
     * One view per buffer: no allocation per read.
     */
    ByteBuffer readView(int bytes) {
        return readView.clear().limit(bytes);
    }

    /**
     * Cancels {@code registration} (if any), closes the channel once the loop has deregistered
     * it, then runs {@code then}; loop thread. The stage of {@code cancel()} completes on the loop
     * thread once the loop's selector has deregistered the channel (also when the loop closes),
     * so the close itself releases the socket.
     */
    void cancelAndClose(FdReadiness.Registration registration, SelectableChannel channel, boolean reset, Runnable then) {
        if (registration == null) {
            closeWhenDeregistered(channel, reset, then);
            return;
        }
        registration.cancel().whenComplete((ignored, never) -> closeWhenDeregistered(channel, reset, then));
    }

    /**
     * Closes a channel whose registration was cancelled, then runs {@code then}; loop thread.
     * The JDK closes a channel still registered with a selector only when that selector next
     * selects. Closing only once the channel is deregistered makes the close itself release the
     * socket, so that a port is free when a close stage completes; after the stage of
     * {@code cancel()} (see {@link #cancelAndClose}) the channel is deregistered already, and this
     * polls only for a channel registered elsewhere.
     */
    void closeWhenDeregistered(SelectableChannel channel, boolean reset, Runnable then) {
        if (reset) {
            try {
                ((NetworkChannel) channel).setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                // Already closed or not connected: there is nothing to reset.
            }
        }
        if (channel.isRegistered() && !loop.isClosed()) {
            try {
                if (timers != null) {
                    timers.schedule(RELEASE_POLL, () -> closeWhenDeregistered(channel, false, then));
                } else {
                    loop.execute(() -> closeWhenDeregistered(channel, false, then));
                }
                return;
            } catch (RejectedExecutionException e) {
                // The loop is closing: close now, the loop releases the rest.
            }
        }
        closeQuietly(channel, null);
        then.run();
    }

    static void closeQuietly(java.nio.channels.Channel channel, Throwable into) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            if (into != null) {
                into.addSuppressed(e);
            }
        }
    }

    @Override
    public String toString() {
        return "ReadinessTcpOpener[" + loop.name() + "]";
    }
}
