package com.example.heartbeat.internal;

import com.example.heartbeat.Heartbeat;
import com.example.heartbeat.HeartbeatOpener;
import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.Set;

/**
 * Heartbeats on loops that offer {@link CompletionPort}: a socket opened with
 * {@link CompletionPort#openDatagram} (the proposal's {@code iocp_udp_implementation}); the same
 * code runs on io_uring, IOCP, or a simulated network.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class CompletionHeartbeatProvider implements TransportProvider<HeartbeatOpener> {

    @Override
    public TransportKey<HeartbeatOpener> key() {
        return Heartbeat.OPEN;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(CompletionPort.class, Timers.class);
    }

    @Override
    public HeartbeatOpener create(EventLoop loop) {
        CompletionPort port = loop.capability(CompletionPort.class).orElseThrow();
        Timers timers = loop.capability(Timers.class).orElseThrow();
        return new Opener(loop, timers, (local, core) -> CompletionWire.open(port, local, core));
    }
}
