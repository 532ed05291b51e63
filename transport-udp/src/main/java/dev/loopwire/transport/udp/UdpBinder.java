// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * Opens UDP endpoints on one loop: the implementation behind {@link Udp#BIND}, resolved per loop
 * by {@code dev.loopwire.transport.Transports}.
 *
 * <p>Callers use {@link Udp}, which checks the arguments; implementers get them checked and
 * non-null (except {@code remote}).
 *
 * <p><b>Concurrency.</b> Implementations are thread-safe.
 */
@FunctionalInterface
public interface UdpBinder {

    /**
     * Opens, binds and (if {@code remote} is given) connects an endpoint, then starts receiving.
     *
     * @param local the address to bind, resolved; port 0 picks an ephemeral port
     * @param remote the peer to connect to, or {@code null} for an unconnected endpoint
     * @param handler receives the endpoint's events on the loop thread
     * @param options the socket and queue options
     * @return completes with the open endpoint after {@link DatagramHandler#onOpen}, or
     *     exceptionally with the {@link java.io.IOException} the operating system gave (for
     *     example a {@link java.net.BindException})
     */
    CompletionStage<DatagramEndpoint> open(InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options);
}
