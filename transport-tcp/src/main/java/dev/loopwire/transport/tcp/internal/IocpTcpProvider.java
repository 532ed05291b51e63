// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpOpener;
import java.util.Set;

/**
 * TCP for loops that offer {@link IocpPort} (the completion loop on Windows), written as any
 * third party would write it: the public capability only. Connections are {@link IocpConnection}s
 * ({@code ConnectEx} after a bind, one {@code WSARecv} posted, one {@code WSASend} in flight),
 * listeners {@link IocpListener}s ({@code AcceptEx} with the accept-context update). Tested
 * against the simulated port only: it has never run on Windows here.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
// Declared twice, as every provider: `provides` in module-info and @AutoService.
@SuppressWarnings("rawtypes")
@AutoService(TransportProvider.class)
public final class IocpTcpProvider implements TransportProvider<TcpOpener> {

    /** Creates the provider; it does nothing until {@link #create} is called. */
    public IocpTcpProvider() {
    }

    @Override
    public TransportKey<TcpOpener> key() {
        return Tcp.OPEN;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(IocpPort.class);
    }

    /** Above {@link ReadinessTcpProvider}'s 0, as {@link UringTcpProvider}: completion-based TCP first. */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public TcpOpener create(EventLoop loop) {
        return new IocpTcpOpener(loop, SocketSetup.capability(loop, IocpPort.class, this),
                loop.capability(Timers.class).orElse(null));
    }
}
