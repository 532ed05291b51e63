// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Opens TCP connections and listeners on one loop: the implementation behind {@link Tcp#OPEN},
 * resolved per loop by {@code dev.loopwire.transport.Transports}.
 *
 * <p>Callers use {@link Tcp}, which checks the arguments; implementers get them checked and
 * non-null (except {@code local} in {@link #connect}).
 *
 * <p><b>Concurrency.</b> Implementations are thread-safe.
 */
public interface TcpOpener {

    /**
     * Connects to {@code remote}.
     *
     * @param local the address to bind first, or {@code null} for an ephemeral port
     * @param remote the peer: resolved, not a wildcard, port 1 to 65535, reachable from {@code local}
     * @param handler the connection's handler
     * @param options the connection's options
     * @return completes with the connection after {@link StreamHandler#onOpen}, or exceptionally
     *     with a {@link java.net.ConnectException} naming the address, a
     *     {@link java.net.SocketTimeoutException} after {@link TcpOptions#connectTimeout()}, or
     *     another {@link java.io.IOException}
     */
    CompletionStage<TcpConnection> connect(InetSocketAddress local, InetSocketAddress remote, StreamHandler handler,
            TcpOptions options);

    /**
     * Binds and listens on {@code local}.
     *
     * @param handlers called on the loop thread for each accepted connection
     * @param local the address to listen on
     * @param options the listener's options, also applied to the connections it accepts
     * @return completes with the listener, or exceptionally with the system's
     *     {@link java.io.IOException} (such as a {@link java.net.BindException})
     */
    CompletionStage<TcpListener> listen(InetSocketAddress local, Supplier<? extends StreamHandler> handlers,
            TcpOptions options);
}
