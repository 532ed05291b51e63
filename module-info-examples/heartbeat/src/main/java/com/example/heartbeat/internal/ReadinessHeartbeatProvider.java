// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import com.example.heartbeat.Heartbeat;
import com.example.heartbeat.HeartbeatOpener;
import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.Set;

/**
 * Heartbeats on loops that offer {@link FdReadiness}: a {@link java.nio.channels.DatagramChannel}
 * registered with the loop (the proposal's {@code posix_udp_implementation}).
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class ReadinessHeartbeatProvider implements TransportProvider<HeartbeatOpener> {

    @Override
    public TransportKey<HeartbeatOpener> key() {
        return Heartbeat.OPEN;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(FdReadiness.class, Timers.class);
    }

    @Override
    public HeartbeatOpener create(EventLoop loop) {
        FdReadiness readiness = loop.capability(FdReadiness.class).orElseThrow();
        Timers timers = loop.capability(Timers.class).orElseThrow();
        return new Opener(loop, timers, (local, core) ->
                java.util.concurrent.CompletableFuture.completedFuture(ReadinessWire.open(readiness, local, core)));
    }
}
