// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import com.example.heartbeat.Heartbeat;
import com.example.heartbeat.HeartbeatOpener;
import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.Udp;
import java.util.Set;

/**
 * Heartbeats over whatever UDP the loop has ({@link Udp#bind}): a transport built on another
 * transport. It needs only {@link Timers}, so it ranks last (priority -10) and is chosen where
 * neither the readiness nor the io_uring provider fits, such as the simulated loop, whose UDP
 * is its own.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class UdpHeartbeatProvider implements TransportProvider<HeartbeatOpener> {

    @Override
    public TransportKey<HeartbeatOpener> key() {
        return Heartbeat.OPEN;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(Timers.class);
    }

    @Override
    public int priority() {
        return -10;
    }

    @Override
    public HeartbeatOpener create(EventLoop loop) {
        Timers timers = loop.capability(Timers.class).orElseThrow();
        return new Opener(loop, timers, (local, core) -> UdpWire.open(loop, local, core));
    }
}
