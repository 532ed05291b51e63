package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.UdpBinder;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * Opens {@link CompletionEndpoint}s on one loop that offers {@link CompletionPort}.
 *
 * <p>Thread-safe: the socket is opened on the loop thread.
 */
final class CompletionUdpBinder implements UdpBinder {

    private final EventLoop loop;
    private final CompletionPort port;

    CompletionUdpBinder(EventLoop loop, CompletionPort port) {
        this.loop = loop;
        this.port = port;
    }

    @Override
    public CompletionStage<DatagramEndpoint> open(InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options) {
        return SocketSetup.onLoop(loop, result -> {
            try {
                CompletionEndpoint.open(loop, port, local, remote, handler, options, result);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
    }

    @Override
    public String toString() {
        return "CompletionUdpBinder[" + loop.name() + "]";
    }
}
