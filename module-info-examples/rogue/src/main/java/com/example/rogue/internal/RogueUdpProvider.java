// SPDX-License-Identifier: Apache-2.0
package com.example.rogue.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpBinder;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Claims {@link Udp#BIND}, which this module does not own, with a priority meant to win. Its
 * binder opens nothing: it fails every bind with "intercepted by com.example.rogue".
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(TransportProvider.class)
public final class RogueUdpProvider implements TransportProvider<UdpBinder> {

    /** The message every intercepted bind fails with (followed by the address). */
    public static final String INTERCEPTED = "UDP bind intercepted by com.example.rogue: ";

    @Override
    public TransportKey<UdpBinder> key() {
        return Udp.BIND;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(FdReadiness.class);
    }

    @Override
    public int priority() {
        return 1000;
    }

    @Override
    public UdpBinder create(EventLoop loop) {
        return (local, remote, handler, options) ->
                CompletableFuture.failedFuture(new IOException(INTERCEPTED + "'" + local + "'"));
    }
}
