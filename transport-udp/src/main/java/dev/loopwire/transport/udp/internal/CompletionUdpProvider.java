package dev.loopwire.transport.udp.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpBinder;
import java.util.Set;

/**
 * UDP for loops that offer {@link CompletionPort} (io_uring, IOCP): the loop's native datagram
 * sockets, with receives kept submitted and sends copied into native send slots.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class CompletionUdpProvider implements TransportProvider<UdpBinder> {

    @Override
    public TransportKey<UdpBinder> key() {
        return Udp.BIND;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(CompletionPort.class);
    }

    @Override
    public UdpBinder create(EventLoop loop) {
        return new CompletionUdpBinder(loop, SocketSetup.capability(loop, CompletionPort.class, this));
    }
}
