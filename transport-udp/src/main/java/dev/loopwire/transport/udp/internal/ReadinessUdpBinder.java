// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.UdpBinder;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens {@link ReadinessEndpoint}s on one loop that offers {@link FdReadiness}.
 *
 * <p>Thread-safe: the socket is opened on the loop thread.
 */
final class ReadinessUdpBinder implements UdpBinder {

    private final EventLoop loop;
    private final FdReadiness readiness;

    ReadinessUdpBinder(EventLoop loop, FdReadiness readiness) {
        this.loop = loop;
        this.readiness = readiness;
    }

    @Override
    public CompletionStage<DatagramEndpoint> open(InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options) {
        return SocketSetup.onLoop(loop, result -> openOnLoop(local, remote, handler, options, result));
    }

    private void openOnLoop(InetSocketAddress local, InetSocketAddress remote, DatagramHandler handler,
            UdpOptions options, CompletableFuture<DatagramEndpoint> result) {
        DatagramChannel channel = null;
        try {
            channel = DatagramChannel.open(UdpChecks.family(local));
            SocketSetup.configure(channel::setOption, channel.supportedOptions(), options);
            channel.bind(local);
            if (remote != null) {
                channel.connect(remote);
            }
            channel.configureBlocking(false);
            ReadinessEndpoint endpoint = new ReadinessEndpoint(loop, channel, handler, options,
                    (InetSocketAddress) channel.getLocalAddress(), remote);
            // start completes result; if onOpen throws, the endpoint closes the channel itself.
            endpoint.start(readiness, result);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            result.completeExceptionally(e);
        }
    }

    @Override
    public String toString() {
        return "ReadinessUdpBinder[" + loop.name() + "]";
    }
}
