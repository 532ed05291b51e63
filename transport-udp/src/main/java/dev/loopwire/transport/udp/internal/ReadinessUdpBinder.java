package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.UdpBinder;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

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
        CompletableFuture<DatagramEndpoint> result = new CompletableFuture<>();
        Runnable task = () -> openOnLoop(local, remote, handler, options, result);
        if (loop.inLoop()) {
            task.run();
        } else {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(e);
            }
        }
        return result;
    }

    private void openOnLoop(InetSocketAddress local, InetSocketAddress remote, DatagramHandler handler,
            UdpOptions options, CompletableFuture<DatagramEndpoint> result) {
        DatagramChannel channel = null;
        try {
            channel = DatagramChannel.open(UdpChecks.family(local));
            configure(channel, options);
            channel.bind(local);
            if (remote != null) {
                channel.connect(remote);
            }
            channel.configureBlocking(false);
            ReadinessEndpoint endpoint = new ReadinessEndpoint(loop, channel, handler, options,
                    (InetSocketAddress) channel.getLocalAddress(), remote);
            endpoint.start(readiness);
            result.complete(endpoint);
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

    private static void configure(DatagramChannel channel, UdpOptions options) throws IOException {
        if (options.reuseAddress()) {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        }
        if (options.reusePort()) {
            if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this system;"
                        + " set UdpOptions.reusePort(false)");
            }
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        if (options.receiveBufferSize() > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
        }
        if (options.sendBufferSize() > 0) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
        }
        if (options.broadcast()) {
            channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
        }
        if (options.multicastInterface() != null) {
            channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, options.multicastInterface());
        }
        channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, options.multicastTtl());
        channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, options.multicastLoopback());
    }

    @Override
    public String toString() {
        return "ReadinessUdpBinder[" + loop.name() + "]";
    }
}
