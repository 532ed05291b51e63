// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.tcp.internal.TcpChecks;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The entry points of the TCP transport: {@code connect} opens a connection to a server,
 * {@code listen} accepts connections from clients.
 *
 * <p>Connections and listeners run on the given loop, or, without one, on {@link
 * EventLoops#currentOrDefault()} (the caller's own loop when called from a loop thread). The
 * implementation is {@link Transports#resolve resolved} for that loop under {@link #OPEN}, so
 * the same call works on a selector loop, a completion loop, or a loop that carries its own TCP.
 * Accepted connections run on their listener's loop.
 *
 * <p>Arguments are checked before anything is opened: {@code null} gives a
 * {@link NullPointerException} naming the parameter, an unusable address an
 * {@link InvalidAddressException} naming it and the remedy. Ports outside 0 to 65535 cannot
 * reach here: {@link InetSocketAddress} refuses them when it is built. Failures of the operating
 * system complete the returned stage exceptionally.
 *
 * <p><b>Concurrency.</b> All methods are thread-safe.
 */
public final class Tcp {

    /** The key under which TCP implementations are registered and resolved: one type opens both sides. */
    public static final TransportKey<TcpOpener> OPEN =
            TransportKey.of("dev.loopwire.transport.tcp.open", TcpOpener.class);

    private Tcp() {
    }

    /**
     * Connects on the current or default loop with default options.
     *
     * @param remote the server, as for {@link #connect(SocketAddress, SocketAddress, StreamHandler, TcpOptions,
     *     EventLoop)}
     * @param handler receives the connection's events on the loop thread
     * @return completes with the connection once {@code onOpen} has run, or exceptionally as described there
     */
    public static CompletionStage<TcpConnection> connect(SocketAddress remote, StreamHandler handler) {
        return connect(null, remote, handler, TcpOptions.defaults(), null);
    }

    /**
     * Connects on the current or default loop.
     *
     * @param remote the server, as for {@link #connect(SocketAddress, SocketAddress, StreamHandler, TcpOptions,
     *     EventLoop)}
     * @param handler receives the connection's events on the loop thread
     * @param options socket and queue options
     * @return completes with the connection once {@code onOpen} has run, or exceptionally as described there
     */
    public static CompletionStage<TcpConnection> connect(SocketAddress remote, StreamHandler handler,
            TcpOptions options) {
        return connect(null, remote, handler, options, null);
    }

    /**
     * Connects on {@code loop} with default options.
     *
     * @param remote the server, as for {@link #connect(SocketAddress, SocketAddress, StreamHandler, TcpOptions,
     *     EventLoop)}
     * @param handler receives the connection's events on the loop thread
     * @param loop the loop
     * @return completes with the connection once {@code onOpen} has run, or exceptionally as described there
     */
    public static CompletionStage<TcpConnection> connect(SocketAddress remote, StreamHandler handler,
            EventLoop loop) {
        return connect(null, remote, handler, TcpOptions.defaults(), Objects.requireNonNull(loop, "loop"));
    }

    /**
     * Connects on {@code loop}.
     *
     * @param remote the server, as for {@link #connect(SocketAddress, SocketAddress, StreamHandler, TcpOptions,
     *     EventLoop)}
     * @param handler receives the connection's events on the loop thread
     * @param options socket and queue options
     * @param loop the loop
     * @return completes with the connection once {@code onOpen} has run, or exceptionally as described there
     */
    public static CompletionStage<TcpConnection> connect(SocketAddress remote, StreamHandler handler,
            TcpOptions options, EventLoop loop) {
        return connect(null, remote, handler, options, loop);
    }

    /**
     * Opens a connection to {@code remote}.
     *
     * @param local the address to bind first, or {@code null} for an ephemeral port chosen by
     *     the system
     * @param remote the server: a resolved {@link InetSocketAddress}, not a wildcard or multicast
     *     address, port 1 to 65535, of a family a socket bound to {@code local} can reach
     * @param handler receives the connection's events on the loop thread; not called at all if
     *     the connect fails
     * @param options socket and queue options, including {@link TcpOptions#connectTimeout()}
     * @param loop the loop, or {@code null} for {@link EventLoops#currentOrDefault()}
     * @return completes with the connection once it is established and {@link StreamHandler#onOpen}
     *     has run; or exceptionally with a {@link java.net.ConnectException} naming the address
     *     (refused), a {@link java.net.SocketTimeoutException} (no answer within the connect
     *     timeout), or another {@link java.io.IOException}
     * @throws InvalidAddressException if an address is unusable (see above)
     * @throws dev.loopwire.transport.UnsupportedTransportException if no TCP implementation fits
     *     the loop
     */
    public static CompletionStage<TcpConnection> connect(SocketAddress local, SocketAddress remote,
            StreamHandler handler, TcpOptions options, EventLoop loop) {
        InetSocketAddress peer = TcpChecks.remote(remote);
        InetSocketAddress bind = local == null ? null : TcpChecks.local(local);
        if (bind != null) {
            TcpChecks.sameFamily(bind, peer);
        }
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        EventLoop target = loop != null ? loop : EventLoops.currentOrDefault();
        if (target.isClosed()) {
            return closedLoop(target);
        }
        return Transports.resolve(target, OPEN).connect(bind, peer, handler, options);
    }

    /**
     * Listens on the current or default loop with default options.
     *
     * @param local the address to bind, as for {@link #listen(SocketAddress, Supplier, TcpOptions, EventLoop)}
     * @param handlers called on the loop thread for each accepted connection
     * @return completes with the listener once it is listening, or exceptionally as described there
     */
    public static CompletionStage<TcpListener> listen(SocketAddress local, Supplier<? extends StreamHandler> handlers) {
        return listen(local, handlers, TcpOptions.defaults(), null);
    }

    /**
     * Listens on the current or default loop.
     *
     * @param local the address to bind, as for {@link #listen(SocketAddress, Supplier, TcpOptions, EventLoop)}
     * @param handlers called on the loop thread for each accepted connection
     * @param options socket and queue options
     * @return completes with the listener once it is listening, or exceptionally as described there
     */
    public static CompletionStage<TcpListener> listen(SocketAddress local, Supplier<? extends StreamHandler> handlers,
            TcpOptions options) {
        return listen(local, handlers, options, null);
    }

    /**
     * Listens on {@code loop} with default options.
     *
     * @param local the address to bind, as for {@link #listen(SocketAddress, Supplier, TcpOptions, EventLoop)}
     * @param handlers called on the loop thread for each accepted connection
     * @param loop the loop
     * @return completes with the listener once it is listening, or exceptionally as described there
     */
    public static CompletionStage<TcpListener> listen(SocketAddress local, Supplier<? extends StreamHandler> handlers,
            EventLoop loop) {
        return listen(local, handlers, TcpOptions.defaults(), Objects.requireNonNull(loop, "loop"));
    }

    /**
     * Binds {@code local} and accepts connections.
     *
     * @param local the address to listen on, such as {@code new InetSocketAddress("127.0.0.1", 0)};
     *     port 0 picks an ephemeral port; a wildcard listens on every address of its family
     *     ({@code ::} on both families where the system allows it)
     * @param handlers gives each accepted connection its handler, on the loop thread (a handler
     *     class's constructor reference, {@code EchoHandler::new}, or {@code () -> shared})
     * @param options socket options (those of the listening socket, and those applied to every
     *     accepted connection) and queue options for the connections
     * @param loop the loop, or {@code null} for {@link EventLoops#currentOrDefault()}
     * @return completes with the listener, or exceptionally with the system's
     *     {@link java.io.IOException} (a {@link java.net.BindException} when the address is in use)
     * @throws InvalidAddressException if {@code local} is unresolved, multicast or not an
     *     {@link InetSocketAddress}
     */
    public static CompletionStage<TcpListener> listen(SocketAddress local, Supplier<? extends StreamHandler> handlers,
            TcpOptions options, EventLoop loop) {
        InetSocketAddress address = TcpChecks.local(local);
        Objects.requireNonNull(handlers, "handlers");
        Objects.requireNonNull(options, "options");
        EventLoop target = loop != null ? loop : EventLoops.currentOrDefault();
        if (target.isClosed()) {
            return closedLoop(target);
        }
        return Transports.resolve(target, OPEN).listen(address, handlers, options);
    }

    private static <T> CompletionStage<T> closedLoop(EventLoop loop) {
        return CompletableFuture.failedFuture(new RejectedExecutionException(
                "Loop '" + loop.name() + "' is closed; open TCP on a running loop"));
    }
}
