// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpBinder;
import java.util.Set;

/**
 * UDP for loops that offer {@link FdReadiness}: a non-blocking
 * {@link java.nio.channels.DatagramChannel} per endpoint, watched by the loop.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class ReadinessUdpProvider implements TransportProvider<UdpBinder> {

    @Override
    public TransportKey<UdpBinder> key() {
        return Udp.BIND;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(FdReadiness.class);
    }

    @Override
    public UdpBinder create(EventLoop loop) {
        // Through the selector-thread adapter, loop is a view: endpoints report the loop itself.
        return new ReadinessUdpBinder(CapabilityAdapter.baseLoop(loop), SocketSetup.capability(loop, FdReadiness.class, this));
    }
}
