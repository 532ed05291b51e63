// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The fixed world the registry fuzz and concurrency tests draw from: capabilities, a small
 * hierarchy of loop classes, two keys (one this module owns, one owned by java.base), and pools
 * of provider and adapter classes whose only difference is their name, because the registry
 * breaks ranking ties by class name.
 */
final class FuzzFixtures {

    private FuzzFixtures() {
    }

    interface Cap0 extends Capability {
    }

    interface Cap1 extends Capability {
    }

    interface Cap2 extends Capability {
    }

    interface Cap3 extends Capability {
    }

    static final List<Class<? extends Capability>> CAPS = List.of(Cap0.class, Cap1.class, Cap2.class, Cap3.class);

    /** One facet object offers every test capability; which ones a loop offers is its set. */
    static final class Facet implements Cap0, Cap1, Cap2, Cap3 {
    }

    static final Facet FACET = new Facet();

    /** The implementation type of the owned key; declared in this module, so the key is ours. */
    interface Fz {
        String label();
    }

    /** An implementation usable for both keys; the label says who made it. */
    record Impl(String label) implements Fz, Runnable {
        @Override
        public void run() {
        }
    }

    static final TransportKey<Fz> OWNED = TransportKey.of("dev.loopwire.transport.fuzz.echo", Fz.class);
    /** Owned by java.base: every provider in this module is foreign to it. */
    static final TransportKey<Runnable> FOREIGN = TransportKey.of("java.lang.fuzz.x", Runnable.class);
    /**
     * A newer key that replaces both older names: providers and registrations for
     * {@link #OWNED} count for it (same type), those for {@link #FOREIGN} do not (a Runnable is
     * not an Fz).
     */
    static final TransportKey<Fz> RENAMED = TransportKey.of("dev.loopwire.transport.fuzz.renamed", Fz.class)
            .replacing(OWNED.name(), FOREIGN.name());
    static final List<TransportKey<?>> KEYS = List.of(OWNED, FOREIGN, RENAMED);

    static String label(Object impl) {
        return impl instanceof Impl i ? i.label() : String.valueOf(impl);
    }

    /** What a {@code create} or a factory does. */
    enum Outcome {
        OK, THROW, NULL;

        Object make(String label) {
            return switch (this) {
                case OK -> new Impl(label);
                case NULL -> null;
                case THROW -> throw new IllegalStateException("create of " + label + " fails on purpose");
            };
        }
    }

    // Loop hierarchy. Tagged is an interface a loop class may implement; TaggedLeafLoop and
    // RedundantLeafLoop re-declare an interface a superclass already has, as
    // `ArrayList extends AbstractList implements List` does: legal, common, and exactly where a
    // shortest-path notion of "most specific" goes wrong.

    interface Tagged extends EventLoop {
    }

    /** A loop that runs nothing: a name, capabilities, and optional own implementations. */
    static class BaseLoop implements EventLoop {
        private final String name;
        private final Set<Class<? extends Capability>> capabilities;
        private final Map<String, Object> own;

        BaseLoop(String name, Set<Class<? extends Capability>> capabilities, Map<String, Object> own) {
            this.name = name;
            this.capabilities = Set.copyOf(capabilities);
            this.own = Map.copyOf(own);
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
            return capabilities.contains(type) ? Optional.of(type.cast(FACET)) : Optional.empty();
        }

        @Override
        public <T> Optional<T> implementation(TransportKey<T> key) {
            return Optional.ofNullable(own.get(key.name())).map(key.type()::cast);
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
            return false;
        }

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + " " + name + " caps=" + Explanation.names(capabilities)
                    + (own.isEmpty() ? "" : " own=" + own.keySet());
        }
    }

    static class MidLoop extends BaseLoop {
        MidLoop(String name, Set<Class<? extends Capability>> capabilities, Map<String, Object> own) {
            super(name, capabilities, own);
        }
    }

    static class LeafLoop extends MidLoop {
        LeafLoop(String name, Set<Class<? extends Capability>> capabilities, Map<String, Object> own) {
            super(name, capabilities, own);
        }
    }

    static class TaggedMidLoop extends MidLoop implements Tagged {
        TaggedMidLoop(String name, Set<Class<? extends Capability>> capabilities, Map<String, Object> own) {
            super(name, capabilities, own);
        }
    }

    static final class TaggedLeafLoop extends TaggedMidLoop implements Tagged {
        TaggedLeafLoop(String name, Set<Class<? extends Capability>> capabilities, Map<String, Object> own) {
            super(name, capabilities, own);
        }
    }

    static final class RedundantLeafLoop extends LeafLoop implements EventLoop {
        RedundantLeafLoop(String name, Set<Class<? extends Capability>> capabilities, Map<String, Object> own) {
            super(name, capabilities, own);
        }
    }

    interface LoopMaker {
        BaseLoop make(String name, Set<Class<? extends Capability>> capabilities, Map<String, Object> own);
    }

    /** The loop classes a fuzz case instantiates. */
    static final List<LoopMaker> LOOP_MAKERS = List.of(BaseLoop::new, MidLoop::new, LeafLoop::new,
            TaggedMidLoop::new, TaggedLeafLoop::new, RedundantLeafLoop::new);

    /** Types a registration or a native provider may name; EventLoop is in another module. */
    static final List<Class<? extends EventLoop>> LOOP_TYPES = List.of(EventLoop.class, BaseLoop.class,
            MidLoop.class, LeafLoop.class, Tagged.class, TaggedMidLoop.class, TaggedLeafLoop.class,
            RedundantLeafLoop.class);

    /** How one pooled provider behaves in one case. */
    record ProviderSpec(TransportKey<?> key, Set<Class<? extends Capability>> requires, int priority,
            Class<? extends EventLoop> loopType, boolean available, Outcome outcome) {
        @Override
        public String toString() {
            return "key=" + key.name() + " requires=" + Explanation.names(requires) + " prio=" + priority
                    + (loopType == null ? "" : " native=" + loopType.getSimpleName())
                    + (available ? "" : " UNAVAILABLE") + " create=" + outcome;
        }
    }

    /** A provider configured through its constructor; subclasses exist only for their names. */
    abstract static class Pooled implements TransportProvider<Object> {
        final ProviderSpec spec;

        Pooled(ProviderSpec spec) {
            this.spec = spec;
        }

        @Override
        @SuppressWarnings("unchecked")
        public TransportKey<Object> key() {
            return (TransportKey<Object>) spec.key();
        }

        @Override
        public Set<Class<? extends Capability>> requires() {
            return spec.requires();
        }

        @Override
        public int priority() {
            return spec.priority();
        }

        @Override
        public Optional<Class<? extends EventLoop>> loopType() {
            return Optional.ofNullable(spec.loopType());
        }

        @Override
        public Availability availability() {
            return spec.available() ? Availability.available() : Availability.unavailable("not on this planet");
        }

        @Override
        public Object create(EventLoop loop) {
            return spec.outcome().make(getClass().getSimpleName());
        }
    }

    // @formatter:off
    static final class P00 extends Pooled { P00(ProviderSpec s) { super(s); } }
    static final class P01 extends Pooled { P01(ProviderSpec s) { super(s); } }
    static final class P02 extends Pooled { P02(ProviderSpec s) { super(s); } }
    static final class P03 extends Pooled { P03(ProviderSpec s) { super(s); } }
    static final class P04 extends Pooled { P04(ProviderSpec s) { super(s); } }
    static final class P05 extends Pooled { P05(ProviderSpec s) { super(s); } }
    static final class P06 extends Pooled { P06(ProviderSpec s) { super(s); } }
    static final class P07 extends Pooled { P07(ProviderSpec s) { super(s); } }
    static final class P08 extends Pooled { P08(ProviderSpec s) { super(s); } }
    static final class P09 extends Pooled { P09(ProviderSpec s) { super(s); } }
    static final class P10 extends Pooled { P10(ProviderSpec s) { super(s); } }
    static final class P11 extends Pooled { P11(ProviderSpec s) { super(s); } }
    // @formatter:on

    static final List<Function<ProviderSpec, Pooled>> PROVIDER_POOL = List.of(P00::new, P01::new, P02::new,
            P03::new, P04::new, P05::new, P06::new, P07::new, P08::new, P09::new, P10::new, P11::new);

    /** The pool's class names, in pool order. */
    static final List<String> PROVIDER_NAMES = names(PROVIDER_POOL, f -> f.apply(null).getClass().getName());

    /** How one pooled adapter behaves in one case. */
    record AdapterSpec(Class<? extends Capability> offers, Set<Class<? extends Capability>> requires,
            boolean available, Outcome adapt) {
        @Override
        public String toString() {
            return "offers=" + offers.getSimpleName() + " requires=" + Explanation.names(requires)
                    + (available ? "" : " UNAVAILABLE") + " adapt=" + adapt;
        }
    }

    abstract static class PooledAdapter implements CapabilityAdapter<Capability> {
        final AdapterSpec spec;

        PooledAdapter(AdapterSpec spec) {
            this.spec = spec;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Class<Capability> offers() {
            return (Class<Capability>) spec.offers();
        }

        @Override
        public Set<Class<? extends Capability>> requires() {
            return spec.requires();
        }

        @Override
        public Availability availability() {
            return spec.available() ? Availability.available() : Availability.unavailable("adapter off");
        }

        @Override
        public Capability adapt(EventLoop loop) {
            return spec.adapt().make("adapter " + getClass().getSimpleName()) == null ? null : FACET;
        }
    }

    // @formatter:off
    static final class A0 extends PooledAdapter { A0(AdapterSpec s) { super(s); } }
    static final class A1 extends PooledAdapter { A1(AdapterSpec s) { super(s); } }
    static final class A2 extends PooledAdapter { A2(AdapterSpec s) { super(s); } }
    static final class A3 extends PooledAdapter { A3(AdapterSpec s) { super(s); } }
    // @formatter:on

    static final List<Function<AdapterSpec, PooledAdapter>> ADAPTER_POOL = List.of(A0::new, A1::new, A2::new,
            A3::new);

    static final List<String> ADAPTER_NAMES = names(ADAPTER_POOL, f -> f.apply(null).getClass().getName());

    private static <F> List<String> names(List<F> pool, Function<F, String> name) {
        List<String> out = new ArrayList<>();
        pool.forEach(f -> out.add(name.apply(f)));
        return List.copyOf(out);
    }

    /** The simple name of a nested class name, for case descriptions. */
    static String simple(String className) {
        return className.substring(className.lastIndexOf('$') + 1);
    }
}
