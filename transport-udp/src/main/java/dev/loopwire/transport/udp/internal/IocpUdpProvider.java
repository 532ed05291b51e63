// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.loop.IocpPort;
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
 * UDP for loops that offer {@link IocpPort} (the completion loop on Windows), written as any
 * third party would write it: the public capability only, no JNA, no loop internals. Each
 * endpoint is an {@link IocpEndpoint}: a few {@code WSARecvFrom}s kept posted, one
 * {@code WSASendTo} per datagram. Tested against the simulated port only (see the module
 * README): it has never run on Windows here.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class IocpUdpProvider implements TransportProvider<UdpBinder> {

    /** Creates the provider; {@link java.util.ServiceLoader} calls it. */
    public IocpUdpProvider() {
    }

    @Override
    public TransportKey<UdpBinder> key() {
        return Udp.BIND;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(IocpPort.class);
    }

    @Override
    public UdpBinder create(EventLoop loop) {
        return new Binder(loop, SocketSetup.capability(loop, IocpPort.class, this));
    }

    /** Opens {@link IocpEndpoint}s on one loop; thread-safe: the socket is opened on the loop thread. */
    record Binder(EventLoop loop, IocpPort port) implements UdpBinder {

        @Override
        public CompletionStage<DatagramEndpoint> open(InetSocketAddress local, InetSocketAddress remote,
                DatagramHandler handler, UdpOptions options) {
            return SocketSetup.onLoop(loop, result -> {
                try {
                    IocpEndpoint.open(loop, port, local, remote, handler, options, result);
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        }

        @Override
        public String toString() {
            return "IocpUdpBinder[" + loop.name() + "]";
        }
    }
}
