// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.selector.SelectorLoop;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * The {@code selector} kind of loop: {@link SelectorLoop}, available wherever the JDK is.
 *
 * <p>Stateless and thread-safe; the constructor does nothing.
 */
@AutoService(EventLoopProvider.class)
public final class SelectorLoopProvider implements EventLoopProvider {

    @Override
    public String name() {
        return "selector";
    }

    @Override
    public Availability availability() {
        return Availability.available();
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(FdReadiness.class, Timers.class);
    }

    @Override
    public EventLoop open(ThreadFactory threads) {
        return SelectorLoop.builder().threadFactory(threads).open();
    }
}
