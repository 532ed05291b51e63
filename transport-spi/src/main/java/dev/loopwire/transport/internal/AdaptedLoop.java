// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A view of a loop that also offers capabilities built by adapters; everything else goes to
 * the loop itself. Providers chosen through an adapter are created with this view.
 */
public final class AdaptedLoop implements EventLoop {

    private final EventLoop loop;
    private final Map<Class<? extends Capability>, Capability> adapted;
    private final Set<Class<? extends Capability>> capabilities;

    AdaptedLoop(EventLoop loop, Map<Class<? extends Capability>, Capability> adapted) {
        this.loop = loop;
        this.adapted = Map.copyOf(adapted);
        Set<Class<? extends Capability>> all = new HashSet<>(loop.capabilities());
        all.addAll(adapted.keySet());
        this.capabilities = Set.copyOf(all);
    }

    /** The loop this view adapts. */
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String name() {
        return loop.name();
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return capabilities;
    }

    @Override
    public <C extends Capability> Optional<C> capability(Class<C> type) {
        Capability facet = adapted.get(type);
        return facet != null ? Optional.of(type.cast(facet)) : loop.capability(type);
    }

    @Override
    public <T> Optional<T> implementation(TransportKey<T> key) {
        return loop.implementation(key);
    }

    @Override
    public CloseHook addCloseHook(Runnable hook) {
        return loop.addCloseHook(hook);
    }

    @Override
    public boolean inLoop() {
        return loop.inLoop();
    }

    @Override
    public boolean isClosed() {
        return loop.isClosed();
    }

    @Override
    public void execute(Runnable command) {
        loop.execute(command);
    }

    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return loop + " adapted with " + adapted.keySet().stream().map(Class::getSimpleName).toList();
    }
}
