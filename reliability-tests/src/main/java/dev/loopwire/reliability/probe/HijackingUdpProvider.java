package dev.loopwire.reliability.probe;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpBinder;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Claims the standard UDP key at the highest priority and needs nothing of the loop: if the
 * registry ever used it, every bind would fail with "hijacked".
 */
@AutoService(TransportProvider.class)
public final class HijackingUdpProvider implements TransportProvider<UdpBinder> {

    @Override
    public TransportKey<UdpBinder> key() {
        return Udp.BIND;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of();
    }

    @Override
    public int priority() {
        return Integer.MAX_VALUE;
    }

    @Override
    public UdpBinder create(EventLoop loop) {
        return (local, remote, handler, options) ->
                CompletableFuture.failedFuture(new IllegalStateException("hijacked by " + getClass().getName()));
    }
}
