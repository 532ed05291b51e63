// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.UdpBinder;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The simulated loop's own {@code dev.loopwire.transport.udp.bind}: {@link SimEndpoint}s on the
 * in-memory network. The datagram size and the send-queue bounds of {@link UdpOptions} apply;
 * socket options (buffer sizes, reuse, multicast) have no meaning there and are ignored.
 *
 * <p>Thread-safe: each endpoint opens in a task on the loop thread.
 */
public final class SimUdpBinder implements UdpBinder {

    private final EventLoop loop;
    private final SimNetwork network;

    public SimUdpBinder(EventLoop loop, SimNetwork network) {
        this.loop = loop;
        this.network = network;
    }

    @Override
    public CompletionStage<DatagramEndpoint> open(InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options) {
        CompletableFuture<DatagramEndpoint> opened = new CompletableFuture<>();
        try {
            loop.execute(() -> new SimEndpoint(loop, network, handler, options).open(local, remote, opened));
        } catch (RejectedExecutionException e) {
            opened.completeExceptionally(e);
        }
        return opened;
    }

    @Override
    public String toString() {
        return "SimUdpBinder[" + loop.name() + "]";
    }
}
