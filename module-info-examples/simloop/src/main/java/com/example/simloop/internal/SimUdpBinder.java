package com.example.simloop.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.UdpBinder;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The simulated loop's own {@code dev.loopwire.transport.udp.bind}: endpoints on the in-memory
 * network. Socket options other than the datagram size do not apply and are ignored.
 *
 * <p>Thread-safe.
 */
public final class SimUdpBinder implements UdpBinder {

    private final EventLoop loop;
    private final SimPort port;

    public SimUdpBinder(EventLoop loop, SimPort port) {
        this.loop = loop;
        this.port = port;
    }

    @Override
    public CompletionStage<DatagramEndpoint> open(InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options) {
        CompletableFuture<DatagramEndpoint> opened = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                SimEndpoint endpoint = new SimEndpoint(loop, handler);
                try {
                    endpoint.attach(port.openDatagram(local.getAddress() instanceof Inet6Address
                            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET, endpoint));
                    endpoint.datagram().bind(local);
                    if (remote != null) {
                        endpoint.datagram().connect(remote);
                    }
                    endpoint.datagram().startReceiving(options.maxDatagramSize());
                } catch (IOException | RuntimeException e) {
                    if (endpoint.datagram() != null) {
                        endpoint.datagram().close();
                    }
                    opened.completeExceptionally(e);
                    return;
                }
                endpoint.opened();
                opened.complete(endpoint);
            });
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
