// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Test-only loops, capabilities and providers for the registry tests. */
final class Fakes {

    private Fakes() {
    }

    interface Alpha extends Capability {
    }

    interface Beta extends Capability {
    }

    interface Gamma extends Capability {
    }

    /** A kind of loop for the registry's advice; it cannot be opened. */
    static final class LoopKind implements dev.loopwire.loop.spi.EventLoopProvider {
        private final String name;
        private final Availability availability;
        private final Set<Class<? extends Capability>> capabilities;

        @SafeVarargs
        @SuppressWarnings("varargs") // the array is only copied into an immutable set
        LoopKind(String name, Availability availability, Class<? extends Capability>... capabilities) {
            this.name = name;
            this.availability = availability;
            this.capabilities = Set.of(capabilities);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Availability availability() {
            return availability;
        }

        @Override
        public Set<Class<? extends Capability>> capabilities() {
            return capabilities;
        }

        @Override
        public EventLoop open(java.util.concurrent.ThreadFactory threads) {
            throw new AssertionError("the registry must not open loops");
        }
    }

    /** The implementation type of the test key; declared in this module, so the key is ours. */
    interface Echo {
        String who();
    }

    static final TransportKey<Echo> ECHO = TransportKey.of("dev.loopwire.transport.test.echo", Echo.class);

    /** A key owned by java.base, so every provider here is foreign to it. */
    static final TransportKey<Runnable> FOREIGN = TransportKey.of("java.lang.test.run", Runnable.class);

    static Echo echo(String who) {
        return () -> who;
    }

    /** A loop that runs nothing; it only has a name and capabilities. */
    static class FakeLoop implements EventLoop {
        private final String name;
        private final Set<Class<? extends Capability>> capabilities;
        private final Map<TransportKey<?>, Object> own = new HashMap<>();
        volatile boolean closed;

        @SafeVarargs
        FakeLoop(String name, Class<? extends Capability>... capabilities) {
            this.name = name;
            // Element by element: javac's varargs lint flags handing a generic varargs array on
            // to any other method, which would void @SafeVarargs.
            Set<Class<? extends Capability>> set = new java.util.LinkedHashSet<>();
            for (Class<? extends Capability> capability : capabilities) {
                set.add(capability);
            }
            this.capabilities = Set.copyOf(set);
        }

        <T> FakeLoop own(TransportKey<T> key, T impl) {
            own.put(key, impl);
            return this;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<Class<? extends Capability>> capabilities() {
            return capabilities;
        }

        @Override
        public <C extends Capability> Optional<C> capability(Class<C> type) {
            if (!capabilities.contains(type)) {
                return Optional.empty();
            }
            return Optional.of(type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (proxy, method, args) -> method.getName().equals("toString") ? name + "/" + type.getSimpleName() : null)));
        }

        @Override
        public <T> Optional<T> implementation(TransportKey<T> key) {
            return Optional.ofNullable(key.type().cast(own.get(key)));
        }

        @Override
        public CloseHook addCloseHook(Runnable hook) {
            // Never closes with anything registered: the hook would never run.
            return () -> false;
        }

        @Override
        public boolean inLoop() {
            return false;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static class SubLoop extends FakeLoop {
        @SafeVarargs
        SubLoop(String name, Class<? extends Capability>... capabilities) {
            super(name, capabilities);
        }
    }

    static final class SubSubLoop extends SubLoop {
        @SafeVarargs
        SubSubLoop(String name, Class<? extends Capability>... capabilities) {
            super(name, capabilities);
        }
    }

    /** A configurable provider; subclasses exist only to have distinct class names. */
    static class FakeProvider<T> implements TransportProvider<T> {
        final AtomicInteger created = new AtomicInteger();
        private final TransportKey<T> key;
        private final Set<Class<? extends Capability>> requires;
        private final int priority;
        private final Class<? extends EventLoop> loopType;
        private final Availability availability;
        private final Function<EventLoop, T> create;

        FakeProvider(TransportKey<T> key, Set<Class<? extends Capability>> requires, int priority,
                Class<? extends EventLoop> loopType, Availability availability, Function<EventLoop, T> create) {
            this.key = key;
            this.requires = requires;
            this.priority = priority;
            this.loopType = loopType;
            this.availability = availability;
            this.create = create;
        }

        @Override
        public TransportKey<T> key() {
            return key;
        }

        @Override
        public Set<Class<? extends Capability>> requires() {
            return requires;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Optional<Class<? extends EventLoop>> loopType() {
            return Optional.ofNullable(loopType);
        }

        @Override
        public Availability availability() {
            return availability;
        }

        @Override
        public T create(EventLoop loop) {
            created.incrementAndGet();
            return create.apply(loop);
        }
    }

    static Function<EventLoop, Echo> says(String who) {
        return loop -> echo(who);
    }

    static final class ProviderA extends FakeProvider<Echo> {
        ProviderA(Set<Class<? extends Capability>> requires, int priority) {
            super(ECHO, requires, priority, null, Availability.available(), says("A"));
        }
    }

    static final class ProviderB extends FakeProvider<Echo> {
        ProviderB(Set<Class<? extends Capability>> requires, int priority) {
            super(ECHO, requires, priority, null, Availability.available(), says("B"));
        }
    }

    static final class ProviderC extends FakeProvider<Echo> {
        ProviderC(Set<Class<? extends Capability>> requires, int priority, Function<EventLoop, Echo> create) {
            super(ECHO, requires, priority, null, Availability.available(), create);
        }
    }

    static final class Unavailable extends FakeProvider<Echo> {
        Unavailable() {
            super(ECHO, Set.of(), 100, null, Availability.unavailable("needs the moon"), says("U"));
        }
    }

    /** Native to SubLoop, which is declared in this module. */
    static final class NativeProvider extends FakeProvider<Echo> {
        NativeProvider() {
            super(ECHO, Set.of(), 0, SubLoop.class, Availability.available(), says("native"));
        }
    }

    /** Implements a key owned by java.base: foreign. */
    static final class Rogue extends FakeProvider<Runnable> {
        Rogue() {
            super(FOREIGN, Set.of(), 0, null, Availability.available(), loop -> () -> { });
        }
    }

    /** Offers Beta on loops that have Alpha. */
    static final class BetaFromAlpha implements CapabilityAdapter<Beta> {
        final AtomicInteger adapted = new AtomicInteger();

        @Override
        public Class<Beta> offers() {
            return Beta.class;
        }

        @Override
        public Set<Class<? extends Capability>> requires() {
            return Set.of(Alpha.class);
        }

        @Override
        public Beta adapt(EventLoop loop) {
            adapted.incrementAndGet();
            return new Beta() {
                @Override
                public String toString() {
                    return "adapted Beta on " + loop.name();
                }
            };
        }
    }

    static List<ProviderEntry<TransportProvider<?>>> entries(TransportProvider<?>... providers) {
        return java.util.Arrays.stream(providers).<ProviderEntry<TransportProvider<?>>>map(ProviderEntry::loaded).toList();
    }

    static Registry registry(List<ProviderEntry<TransportProvider<?>>> providers, Map<String, String> properties) {
        return new Registry(() -> providers, List::of, properties::get);
    }

    static Registry registry(List<ProviderEntry<TransportProvider<?>>> providers,
            List<ProviderEntry<CapabilityAdapter<?>>> adapters, Map<String, String> properties) {
        return new Registry(() -> providers, () -> adapters, properties::get);
    }
}
