// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import com.example.heartbeat.Heartbeat;
import com.example.heartbeat.HeartbeatOpener;
import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.loop.UringPort;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Heartbeats on loops that offer the raw {@link UringPort} (the completion loop on Linux): a
 * third party's own small UDP over {@code PosixCalls} and io_uring operations ({@link UringWire}),
 * with nothing but {@code loop-api} and the SPI; no new method on any loop.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class UringHeartbeatProvider implements TransportProvider<HeartbeatOpener> {

    @Override
    public TransportKey<HeartbeatOpener> key() {
        return Heartbeat.OPEN;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(UringPort.class, Timers.class);
    }

    @Override
    public HeartbeatOpener create(EventLoop loop) {
        UringPort port = loop.capability(UringPort.class).orElseThrow();
        Timers timers = loop.capability(Timers.class).orElseThrow();
        return new Opener(loop, timers, (local, core) -> CompletableFuture.completedFuture(UringWire.open(port, local, core)));
    }
}
