// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;

import com.example.simloop.SimLoop;
import com.google.auto.service.AutoService;
import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * The {@code simulated} kind of loop: {@link SimLoop} on a new in-memory network. Its priority,
 * -10, keeps {@code EventLoops.open()} on a real loop; ask for it by name.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@AutoService(EventLoopProvider.class)
public final class SimLoopProvider implements EventLoopProvider {

    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public Availability availability() {
        return Availability.available();
    }

    @Override
    public int priority() {
        return -10;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(Timers.class);
    }

    @Override
    public EventLoop open(ThreadFactory threads) {
        return SimLoop.open(threads);
    }
}
