// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.loop.UringPort;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpBinder;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * UDP for loops that offer {@link UringPort} (the completion loop on Linux), written as any
 * third party would write it: the public capability only, no JNA, no loop internals. Each
 * endpoint is a {@link UringEndpoint}: multishot {@code RECVMSG} from the loop's shared
 * provided-buffer group, one {@code SENDMSG} per datagram, many per loop turn.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class UringUdpProvider implements TransportProvider<UdpBinder> {

    /** Creates the provider; {@link java.util.ServiceLoader} calls it. */
    public UringUdpProvider() {
    }

    @Override
    public TransportKey<UdpBinder> key() {
        return Udp.BIND;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(UringPort.class);
    }

    @Override
    public UdpBinder create(EventLoop loop) {
        return new Binder(loop, SocketSetup.capability(loop, UringPort.class, this));
    }

    /** Opens {@link UringEndpoint}s on one loop; thread-safe: the socket is opened on the loop thread. */
    record Binder(EventLoop loop, UringPort port) implements UdpBinder {

        @Override
        public CompletionStage<DatagramEndpoint> open(InetSocketAddress local, InetSocketAddress remote,
                DatagramHandler handler, UdpOptions options) {
            return SocketSetup.onLoop(loop, result -> {
                try {
                    UringEndpoint.open(loop, port, local, remote, handler, options, result);
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        }

        @Override
        public String toString() {
            return "UringUdpBinder[" + loop.name() + "]";
        }
    }
}
