// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpOpener;
import java.util.Set;

/**
 * TCP for loops that offer {@link FdReadiness}: non-blocking {@link java.nio.channels.SocketChannel}s
 * and {@link java.nio.channels.ServerSocketChannel}s watched by the loop. On a completion loop it
 * fits through the selector-thread adapter.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
// Declared twice, as every provider: `provides` in module-info (module path) and, through
// @AutoService, META-INF/services (class path); ReadinessTcpProviderTest checks they agree.
// The annotation names the raw TransportProvider type, hence the rawtypes warning.
@SuppressWarnings("rawtypes")
@AutoService(TransportProvider.class)
public final class ReadinessTcpProvider implements TransportProvider<TcpOpener> {

    @Override
    public TransportKey<TcpOpener> key() {
        return Tcp.OPEN;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(FdReadiness.class);
    }

    @Override
    public TcpOpener create(EventLoop loop) {
        // Through the selector-thread adapter, loop is a view: connections report the loop itself.
        return new ReadinessTcpOpener(CapabilityAdapter.baseLoop(loop), SocketSetup.capability(loop, FdReadiness.class, this),
                loop.capability(Timers.class).orElse(null));
    }
}
