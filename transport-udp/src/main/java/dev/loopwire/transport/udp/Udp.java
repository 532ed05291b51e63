// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.internal.UdpChecks;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The entry points of the UDP transport: {@code bind} opens an endpoint that sends anywhere and
 * receives from anyone; {@code connect} opens one tied to a single peer.
 *
 * <p>The endpoint runs on the given loop, or, without one, on {@link
 * EventLoops#currentOrDefault()} (the caller's own loop when called from a loop thread). The
 * implementation is {@link Transports#resolve resolved} for that loop under {@link #BIND}, so
 * the same call works on a selector loop, a completion loop, or a loop that carries its own UDP.
 *
 * <p>Arguments are checked before anything is opened: {@code null} gives a
 * {@link NullPointerException} naming the parameter, an unusable address an
 * {@link InvalidAddressException}. Ports outside 0 to 65535 cannot reach here:
 * {@link InetSocketAddress} refuses them when it is built. Failures of the operating system
 * (an address in use) complete the returned stage exceptionally.
 *
 * <p><b>Concurrency.</b> All methods are thread-safe.
 */
public final class Udp {

    /** The key under which UDP implementations are registered and resolved. */
    public static final TransportKey<UdpBinder> BIND =
            TransportKey.of("dev.loopwire.transport.udp.bind", UdpBinder.class);

    private Udp() {
    }

    /**
     * Binds an endpoint on the current or default loop with default options.
     *
     * @param local the address to bind; port 0 picks an ephemeral port
     * @param handler receives the endpoint's events on the loop thread
     * @return completes with the open endpoint, or exceptionally with the operating system's
     *     {@link java.io.IOException} (or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the loop is closed); never
     *     {@code null}
     * @throws InvalidAddressException if {@code local} is unresolved or not an
     *     {@link InetSocketAddress}
     * @see #bind(SocketAddress, DatagramHandler, UdpOptions, EventLoop)
     */
    public static CompletionStage<DatagramEndpoint> bind(SocketAddress local, DatagramHandler handler) {
        return bind(local, handler, UdpOptions.defaults(), null);
    }

    /**
     * Binds an endpoint on the current or default loop.
     *
     * @param local the address to bind; port 0 picks an ephemeral port
     * @param handler receives the endpoint's events on the loop thread
     * @param options socket and queue options
     * @return completes with the open endpoint, or exceptionally with the operating system's
     *     {@link java.io.IOException} (or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the loop is closed); never
     *     {@code null}
     * @throws InvalidAddressException if {@code local} is unresolved or not an
     *     {@link InetSocketAddress}
     * @see #bind(SocketAddress, DatagramHandler, UdpOptions, EventLoop)
     */
    public static CompletionStage<DatagramEndpoint> bind(SocketAddress local, DatagramHandler handler,
            UdpOptions options) {
        return bind(local, handler, options, null);
    }

    /**
     * Binds an endpoint on {@code loop} with default options.
     *
     * @param local the address to bind; port 0 picks an ephemeral port
     * @param handler receives the endpoint's events on the loop thread
     * @param loop the loop that drives the endpoint; never {@code null}
     * @return completes with the open endpoint, or exceptionally with the operating system's
     *     {@link java.io.IOException} (or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the loop is closed); never
     *     {@code null}
     * @throws InvalidAddressException if {@code local} is unresolved or not an
     *     {@link InetSocketAddress}
     * @see #bind(SocketAddress, DatagramHandler, UdpOptions, EventLoop)
     */
    public static CompletionStage<DatagramEndpoint> bind(SocketAddress local, DatagramHandler handler,
            EventLoop loop) {
        return bind(local, handler, UdpOptions.defaults(), Objects.requireNonNull(loop, "loop"));
    }

    /**
     * Binds an endpoint.
     *
     * @param local the address to bind, such as {@code new InetSocketAddress("127.0.0.1", 0)};
     *     port 0 picks an ephemeral port; the address family of the socket follows it (a
     *     wildcard {@code ::} gives a dual-stack socket where the system allows it)
     * @param handler receives the endpoint's events on the loop thread
     * @param options socket and queue options
     * @param loop the loop, or {@code null} for {@link EventLoops#currentOrDefault()}
     * @return completes with the open endpoint, or exceptionally with the operating system's
     *     {@link java.io.IOException} (or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the loop is closed); never
     *     {@code null}
     * @throws InvalidAddressException if {@code local} is unresolved or not an
     *     {@link InetSocketAddress}
     * @throws dev.loopwire.transport.UnsupportedTransportException if no UDP implementation fits
     *     the loop
     * @throws NullPointerException if {@code local}, {@code handler} or {@code options} is
     *     {@code null}
     */
    public static CompletionStage<DatagramEndpoint> bind(SocketAddress local, DatagramHandler handler,
            UdpOptions options, EventLoop loop) {
        InetSocketAddress address = UdpChecks.local(local);
        return open(address, null, handler, options, loop);
    }

    /**
     * Connects an endpoint to {@code remote} on the current or default loop, default options.
     *
     * @param remote the peer; resolved, port 1 to 65535
     * @param handler receives the endpoint's events on the loop thread
     * @return completes with the open endpoint, or exceptionally with the operating system's
     *     {@link java.io.IOException} (or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the loop is closed); never
     *     {@code null}
     * @throws InvalidAddressException if {@code remote} is unresolved, not an
     *     {@link InetSocketAddress}, or has port 0
     * @see #connect(SocketAddress, SocketAddress, DatagramHandler, UdpOptions, EventLoop)
     */
    public static CompletionStage<DatagramEndpoint> connect(SocketAddress remote, DatagramHandler handler) {
        return connect(null, remote, handler, UdpOptions.defaults(), null);
    }

    /**
     * Connects an endpoint to {@code remote} on {@code loop}, default options.
     *
     * @param remote the peer; resolved, port 1 to 65535
     * @param handler receives the endpoint's events on the loop thread
     * @param loop the loop that drives the endpoint; never {@code null}
     * @return completes with the open endpoint, or exceptionally with the operating system's
     *     {@link java.io.IOException} (or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the loop is closed); never
     *     {@code null}
     * @throws InvalidAddressException if {@code remote} is unresolved, not an
     *     {@link InetSocketAddress}, or has port 0
     * @see #connect(SocketAddress, SocketAddress, DatagramHandler, UdpOptions, EventLoop)
     */
    public static CompletionStage<DatagramEndpoint> connect(SocketAddress remote, DatagramHandler handler,
            EventLoop loop) {
        return connect(null, remote, handler, UdpOptions.defaults(), Objects.requireNonNull(loop, "loop"));
    }

    /**
     * Connects an endpoint to {@code remote} on {@code loop}, from an ephemeral port.
     *
     * @param remote the peer; resolved, port 1 to 65535
     * @param handler receives the endpoint's events on the loop thread
     * @param options socket and queue options
     * @param loop the loop, or {@code null} for {@link EventLoops#currentOrDefault()}
     * @return completes with the open endpoint, or exceptionally with the operating system's
     *     {@link java.io.IOException} (or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the loop is closed); never
     *     {@code null}
     * @throws InvalidAddressException if {@code remote} is unresolved, not an
     *     {@link InetSocketAddress}, or has port 0
     * @see #connect(SocketAddress, SocketAddress, DatagramHandler, UdpOptions, EventLoop)
     */
    public static CompletionStage<DatagramEndpoint> connect(SocketAddress remote, DatagramHandler handler,
            UdpOptions options, EventLoop loop) {
        return connect(null, remote, handler, options, loop);
    }

    /**
     * Opens an endpoint connected to {@code remote}: it sends there with
     * {@link DatagramEndpoint#send(java.nio.ByteBuffer)} and receives only from there.
     *
     * @param local the address to bind, or {@code null} for an ephemeral port on the wildcard
     *     address of {@code remote}'s family
     * @param remote the peer; resolved, port 1 to 65535
     * @param handler receives the endpoint's events on the loop thread
     * @param options socket and queue options
     * @param loop the loop, or {@code null} for {@link EventLoops#currentOrDefault()}
     * @return completes with the open endpoint, or exceptionally with the operating system's
     *     {@link java.io.IOException} (or a
     *     {@link java.util.concurrent.RejectedExecutionException} if the loop is closed); never
     *     {@code null}
     * @throws InvalidAddressException if {@code local} or {@code remote} is unresolved or not
     *     an {@link InetSocketAddress}, {@code remote} has port 0, or {@code local} cannot reach
     *     {@code remote}'s address family
     * @throws dev.loopwire.transport.UnsupportedTransportException if no UDP implementation fits
     *     the loop
     * @see #bind(SocketAddress, DatagramHandler, UdpOptions, EventLoop)
     */
    public static CompletionStage<DatagramEndpoint> connect(SocketAddress local, SocketAddress remote,
            DatagramHandler handler, UdpOptions options, EventLoop loop) {
        InetSocketAddress peer = UdpChecks.destination(remote, "remote");
        InetSocketAddress address = local == null ? UdpChecks.wildcardFor(peer) : UdpChecks.local(local);
        UdpChecks.sameFamily(address, peer);
        return open(address, peer, handler, options, loop);
    }

    private static CompletionStage<DatagramEndpoint> open(InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options, EventLoop loop) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        EventLoop target = loop != null ? loop : EventLoops.currentOrDefault();
        if (target.isClosed()) {
            return CompletableFuture.failedFuture(new java.util.concurrent.RejectedExecutionException(
                    "Loop '" + target.name() + "' is closed; open the endpoint on a running loop"));
        }
        return Transports.resolve(target, BIND).open(local, remote, handler, options);
    }
}
