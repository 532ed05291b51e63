// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.loop.UringPort;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpOpener;
import java.util.Set;

/**
 * TCP for loops that offer the raw io_uring capability {@link UringPort}: sockets made with its
 * {@code PosixCalls}, then {@code CONNECT}, multishot {@code ACCEPT}, multishot {@code RECV}
 * from the loop's shared provided-buffer group, one {@code SEND} in flight per connection and
 * {@code SHUTDOWN}, written against the public capability only. On the completion loop it fits
 * directly, so it is chosen before {@link ReadinessTcpProvider}, which fits there only through
 * the selector-thread adapter.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
// Declared twice, as every provider: `provides` in module-info and @AutoService.
@SuppressWarnings("rawtypes")
@AutoService(TransportProvider.class)
public final class UringTcpProvider implements TransportProvider<TcpOpener> {

    /** Creates the provider; it does nothing until {@link #create} is called. */
    public UringTcpProvider() {
    }

    @Override
    public TransportKey<TcpOpener> key() {
        return Tcp.OPEN;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(UringPort.class);
    }

    /**
     * Above {@link ReadinessTcpProvider}'s 0: on a loop that offers both {@code UringPort} and
     * {@code FdReadiness}, completion-based TCP is the one to use (on loopwire's completion loop
     * it wins anyway, since the readiness provider fits there only through an adapter).
     */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public TcpOpener create(EventLoop loop) {
        return new UringTcpOpener(loop, SocketSetup.capability(loop, UringPort.class, this),
                loop.capability(Timers.class).orElse(null));
    }
}
