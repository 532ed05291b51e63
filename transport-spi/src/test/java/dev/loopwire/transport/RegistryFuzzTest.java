// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.Explanation.Candidate;
import dev.loopwire.transport.FuzzFixtures.AdapterSpec;
import dev.loopwire.transport.FuzzFixtures.BaseLoop;
import dev.loopwire.transport.FuzzFixtures.Outcome;
import dev.loopwire.transport.FuzzFixtures.ProviderSpec;
import dev.loopwire.transport.RegistryModel.ClassReg;
import dev.loopwire.transport.RegistryModel.InstanceReg;
import dev.loopwire.transport.RegistryModel.Step;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceConfigurationError;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random worlds of loops, providers, adapters, registrations and overrides: the registry must
 * resolve exactly what {@link RegistryModel} (the documented rules) says, and {@code explain}
 * must name the same first candidate before resolution.
 *
 * <p>Reproducible: {@code -Dloopwire.fuzz.seed=<long>} picks the seed (default below),
 * {@code -Dloopwire.fuzz.case=<n>} replays one case, {@code -Dloopwire.fuzz.cases=<n>} runs more.
 * Every failure prints the seed, the case number and the whole case.
 */
class RegistryFuzzTest {

    private static final long DEFAULT_SEED = 0x100b_3a1eL;
    private static final int CASES = Integer.getInteger("loopwire.fuzz.cases", 5000);
    private static final String NOPE = "com.example.Nope";
    private static final List<String> PROPERTIES = List.of("loopwire.provider." + FuzzFixtures.OWNED.name(),
            "loopwire.provider." + FuzzFixtures.FOREIGN.name(), "loopwire.provider." + FuzzFixtures.RENAMED.name(),
            "loopwire.disable", "loopwire.allow");

    /** How each checked resolution ended, so the run proves it reached every step. */
    private final Map<String, Integer> outcomes = new TreeMap<>();

    @Test
    void theRegistryResolvesWhatTheDocumentedRulesSay() {
        long seed = Long.decode(System.getProperty("loopwire.fuzz.seed", String.valueOf(DEFAULT_SEED)));
        String only = System.getProperty("loopwire.fuzz.case");
        int from = only == null ? 0 : Integer.parseInt(only);
        int to = only == null ? CASES : from + 1;
        for (int n = from; n < to; n++) {
            new Case(seed, n).run();
        }
        System.out.println("RegistryFuzzTest seed=" + seed + " cases=" + (to - from) + " outcomes=" + outcomes);
        if (only == null) {
            for (String o : List.of("LOOP", "LOOP_REGISTRATION", "CLASS_REGISTRATION", "NATIVE_PROVIDER", "PROVIDER",
                    "ADAPTED_PROVIDER", "unsupported", "forced", "fallback after a failed create")) {
                assertThat("resolutions ending as " + o + " with seed " + seed, outcomes.getOrDefault(o, 0),
                        greaterThan(0));
            }
        }
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    /** One random world, built step by step; the log is its description for failures. */
    private final class Case {
        private final long seed;
        private final int number;
        private final Random rnd;
        private final StringBuilder log = new StringBuilder();
        private final RegistryModel model = new RegistryModel();
        private final List<BaseLoop> loops = new ArrayList<>();
        private final List<Registration> registrations = new ArrayList<>();
        private final List<Object> modelRegistrations = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        /** (loop, key) pairs resolved since the registry last dropped its cache. */
        private final Set<String> cached = new HashSet<>();
        private Registry registry;
        private int seq;

        Case(long seed, int number) {
            this.seed = seed;
            this.number = number;
            this.rnd = new Random(seed * 0x9E3779B97F4A7C15L + number);
        }

        void run() {
            List<ProviderEntry<TransportProvider<?>>> providerEntries = providers();
            List<ProviderEntry<CapabilityAdapter<?>>> adapterEntries = adapters();
            names.addAll(FuzzFixtures.PROVIDER_NAMES);
            names.addAll(FuzzFixtures.ADAPTER_NAMES);
            names.add(NOPE);
            int loopCount = 1 + rnd.nextInt(3);
            for (int i = 0; i < loopCount; i++) {
                loops.add(loop(i));
            }
            for (String property : PROPERTIES) {
                if (rnd.nextInt(6) == 0) {
                    setProperty(property);
                }
            }
            registry = new Registry(() -> providerEntries, () -> adapterEntries, model.properties::get);
            int ops = rnd.nextInt(7);
            for (int i = 0; i < ops; i++) {
                mutate();
            }
            checkAll();
            for (int round = 0; round < 2; round++) {
                mutate();
                checkAll();
            }
        }

        private List<ProviderEntry<TransportProvider<?>>> providers() {
            List<Integer> pool = shuffled(FuzzFixtures.PROVIDER_POOL.size());
            List<ProviderEntry<TransportProvider<?>>> entries = new ArrayList<>();
            int count = rnd.nextInt(7);
            for (int i = 0; i < count; i++) {
                int p = pool.get(i);
                String className = FuzzFixtures.PROVIDER_NAMES.get(p);
                if (rnd.nextInt(20) == 0) {
                    entries.add(ProviderEntry.failed(null, className, new ServiceConfigurationError("broken on purpose")));
                    model.providers.add(new RegistryModel.ProviderDecl(className, null));
                    log.append("provider ").append(FuzzFixtures.simple(className)).append(": failed to load\n");
                    continue;
                }
                int k = rnd.nextInt(10);
                TransportKey<?> key = k < 6 ? FuzzFixtures.OWNED : k < 9 ? FuzzFixtures.FOREIGN : FuzzFixtures.RENAMED;
                ProviderSpec spec = new ProviderSpec(key,
                        capabilities(3), rnd.nextInt(3) - 1,
                        rnd.nextInt(3) == 0 ? pick(FuzzFixtures.LOOP_TYPES) : null, rnd.nextInt(7) != 0, outcome());
                entries.add(ProviderEntry.loaded(FuzzFixtures.PROVIDER_POOL.get(p).apply(spec)));
                model.providers.add(new RegistryModel.ProviderDecl(className, spec));
                log.append("provider ").append(FuzzFixtures.simple(className)).append(": ").append(spec).append('\n');
            }
            return entries; // already in random (discovery) order
        }

        private List<ProviderEntry<CapabilityAdapter<?>>> adapters() {
            List<Integer> pool = shuffled(FuzzFixtures.ADAPTER_POOL.size());
            List<ProviderEntry<CapabilityAdapter<?>>> entries = new ArrayList<>();
            int count = rnd.nextInt(4);
            for (int i = 0; i < count; i++) {
                int a = pool.get(i);
                Class<? extends Capability> offers = pick(FuzzFixtures.CAPS);
                Set<Class<? extends Capability>> requires = new LinkedHashSet<>();
                if (rnd.nextBoolean()) {
                    requires.add(pick(FuzzFixtures.CAPS));
                }
                requires.remove(offers);
                AdapterSpec spec = new AdapterSpec(offers, Set.copyOf(requires), rnd.nextInt(7) != 0, outcome());
                entries.add(ProviderEntry.loaded(FuzzFixtures.ADAPTER_POOL.get(a).apply(spec)));
                String className = FuzzFixtures.ADAPTER_NAMES.get(a);
                model.adapters.add(new RegistryModel.AdapterDecl(className, spec));
                log.append("adapter ").append(FuzzFixtures.simple(className)).append(": ").append(spec).append('\n');
            }
            return entries;
        }

        private BaseLoop loop(int i) {
            String name = "fz" + number + "-" + i;
            Map<String, Object> own = new HashMap<>();
            for (TransportKey<?> key : FuzzFixtures.KEYS) {
                if (rnd.nextInt(10) == 0) {
                    own.put(key.name(), new FuzzFixtures.Impl("own@" + name));
                }
            }
            BaseLoop loop = pick(FuzzFixtures.LOOP_MAKERS).make(name, capabilities(2), own);
            log.append("loop ").append(loop).append('\n');
            return loop;
        }

        private void mutate() {
            int choice = rnd.nextInt(10);
            if (choice != 4 || !registrations.isEmpty()) {
                cached.clear(); // every mutation drops the registry's cache; closing nothing does not
            }
            switch (choice) {
                case 0, 1 -> registerOnInstance();
                case 2, 3 -> registerForClass();
                case 4 -> closeRegistration();
                case 5 -> {
                    TransportKey<?> key = pick(FuzzFixtures.KEYS);
                    String name = pick(names);
                    registry.prefer(key, name);
                    model.preferred.put(key.name(), name);
                    log.append("prefer(").append(key.name()).append(", ").append(FuzzFixtures.simple(name)).append(")\n");
                }
                case 6 -> {
                    String name = pick(names);
                    registry.deny(name);
                    model.denied.add(name);
                    log.append("deny(").append(FuzzFixtures.simple(name)).append(")\n");
                }
                case 7 -> {
                    String name = pick(names);
                    registry.allow(name);
                    model.allowed.add(name);
                    log.append("allow(").append(FuzzFixtures.simple(name)).append(")\n");
                }
                case 8 -> {
                    setProperty(pick(PROPERTIES));
                    registry.reload();
                    log.append("reload()\n");
                }
                default -> {
                    if (rnd.nextInt(3) == 0) {
                        registry.clearOverrides();
                        model.preferred.clear();
                        model.denied.clear();
                        model.allowed.clear();
                        log.append("clearOverrides()\n");
                    } else {
                        registerOnInstance();
                    }
                }
            }
        }

        private void registerOnInstance() {
            BaseLoop loop = pick(loops);
            TransportKey<?> key = pick(FuzzFixtures.KEYS);
            String label = "inst#" + ++seq;
            registrations.add(register(registry, loop, key, new FuzzFixtures.Impl(label)));
            modelRegistrations.add(new InstanceReg(seq, loop, key, label));
            model.instanceRegs.add((InstanceReg) modelRegistrations.get(modelRegistrations.size() - 1));
            log.append("register(").append(loop.name()).append(", ").append(key.name()).append(") -> ").append(label)
                    .append('\n');
        }

        private void registerForClass() {
            Class<? extends EventLoop> type = pick(FuzzFixtures.LOOP_TYPES);
            TransportKey<?> key = pick(FuzzFixtures.KEYS);
            Outcome outcome = outcome();
            String label = "class#" + ++seq;
            registrations.add(register(registry, type, key, loop -> outcome.make(label)));
            ClassReg reg = new ClassReg(seq, type, key, outcome, label);
            modelRegistrations.add(reg);
            model.classRegs.add(reg);
            log.append("register(").append(type.getSimpleName()).append(".class, ").append(key.name()).append(") -> ")
                    .append(label).append(" create=").append(outcome).append('\n');
        }

        private void closeRegistration() {
            if (registrations.isEmpty()) {
                log.append("(nothing to close)\n");
                return;
            }
            int i = rnd.nextInt(registrations.size());
            Registration registration = registrations.remove(i);
            registration.close();
            if (rnd.nextBoolean()) {
                registration.close(); // closing twice is a no-op
            }
            Object reg = modelRegistrations.remove(i);
            model.instanceRegs.remove(reg);
            model.classRegs.remove(reg);
            log.append("close registration ")
                    .append(reg instanceof InstanceReg r ? r.label() : ((ClassReg) reg).label()).append('\n');
        }

        private void setProperty(String property) {
            String value;
            if (property.startsWith("loopwire.provider.")) {
                value = rnd.nextInt(8) == 0 ? "  " : pad(pick(names));
            } else {
                StringBuilder list = new StringBuilder(pad(pick(names)));
                int more = rnd.nextInt(3);
                for (int i = 0; i < more; i++) {
                    list.append(',').append(rnd.nextInt(5) == 0 ? " " : pad(pick(names)));
                }
                value = list.toString();
            }
            model.properties.put(property, value);
            log.append("-D").append(property).append("='").append(value).append("'\n");
        }

        private String pad(String name) {
            return (rnd.nextInt(4) == 0 ? " " : "") + name + (rnd.nextInt(4) == 0 ? " " : "");
        }

        private void checkAll() {
            for (BaseLoop loop : loops) {
                for (TransportKey<?> key : FuzzFixtures.KEYS) {
                    check(loop, key);
                }
            }
        }

        private void check(BaseLoop loop, TransportKey<?> key) {
            List<Step> fitting = model.fitting(loop, key);
            String what = "loop " + loop.name() + ", key " + key.name();
            Step winner = fitting.stream().filter(s -> s.outcome() == Outcome.OK).findFirst().orElse(null);
            String pair = loop.name() + " " + key.name();
            // Before resolution explain shows the first candidate that fits; once resolved, the one in use.
            String expectedFirst = cached.contains(pair) ? winner.tag() : fitting.isEmpty() ? "none" : fitting.get(0).tag();
            String first = registry.explain(loop, key).chosen().map(RegistryFuzzTest::tag).orElse("none");
            expect(what + ": explain before resolution chose", expectedFirst, first, loop, key);
            long thrown = fitting.stream().takeWhile(s -> s != winner).filter(s -> s.outcome() == Outcome.THROW).count();
            Object impl;
            try {
                impl = registry.resolve(loop, key);
            } catch (UnsupportedTransportException e) {
                expect(what + ": resolve", winner == null ? "unsupported" : winner.label(), "unsupported", loop, key);
                expect(what + ": message", true, e.getMessage().startsWith("No implementation of '" + key.name()
                        + "' for loop '" + loop.name() + "'"), loop, key);
                expect(what + ": suppressed create failures", thrown, (long) e.getSuppressed().length, loop, key);
                count("unsupported");
                return;
            }
            expect(what + ": resolve", winner == null ? "unsupported" : winner.label(), FuzzFixtures.label(impl),
                    loop, key);
            expect(what + ": cached", true, registry.resolve(loop, key) == impl, loop, key);
            expect(what + ": explain after resolution chose", winner.tag(),
                    registry.explain(loop, key).chosen().map(RegistryFuzzTest::tag).orElse("none"), loop, key);
            cached.add(pair);
            count(winner.tag().split(" ")[0]);
            if (winner != fitting.get(0)) {
                count("fallback after a failed create");
            }
            String forced = model.properties.get("loopwire.provider." + key.name());
            if (forced != null && !forced.isBlank()) {
                count("forced");
            }
        }

        private void expect(String what, Object expected, Object actual, BaseLoop loop, TransportKey<?> key) {
            if (!expected.equals(actual)) {
                throw new AssertionError("Registry and model disagree on " + what + ": model says <" + expected
                        + ">, registry says <" + actual + ">\n  seed=" + seed + " case=" + number
                        + " (replay: -Dloopwire.fuzz.seed=" + seed + " -Dloopwire.fuzz.case=" + number + ")\n"
                        + "case:\n" + log + "model order: " + model.fitting(loop, key) + "\nregistry report:\n"
                        + registry.explain(loop, key));
            }
        }

        private Set<Class<? extends Capability>> capabilities(int oneIn) {
            Set<Class<? extends Capability>> out = new LinkedHashSet<>();
            for (Class<? extends Capability> c : FuzzFixtures.CAPS) {
                if (rnd.nextInt(oneIn) == 0) {
                    out.add(c);
                }
            }
            return Set.copyOf(out);
        }

        private Outcome outcome() {
            int r = rnd.nextInt(10);
            return r == 0 ? Outcome.THROW : r == 1 ? Outcome.NULL : Outcome.OK;
        }

        private List<Integer> shuffled(int size) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                out.add(i);
            }
            Collections.shuffle(out, rnd);
            return out;
        }

        private <E> E pick(List<E> from) {
            return from.get(rnd.nextInt(from.size()));
        }
    }

    /** What the model's {@link Step#tag()} is for a reported candidate. */
    private static String tag(Candidate c) {
        return switch (c.source()) {
            case LOOP, LOOP_REGISTRATION -> c.source().name();
            case CLASS_REGISTRATION -> c.source().name() + " " + c.origin();
            case ADAPTED_PROVIDER -> c.source().name() + " " + c.className() + " " + c.reason();
            default -> c.source().name() + " " + c.className();
        };
    }

    private static <T> Registration register(Registry registry, EventLoop loop, TransportKey<T> key, Object impl) {
        return registry.register(loop, key, key.type().cast(impl));
    }

    @SuppressWarnings("unchecked")
    private static <T> Registration register(Registry registry, Class<? extends EventLoop> type, TransportKey<T> key,
            Function<EventLoop, Object> factory) {
        return registry.register((Class<EventLoop>) type, key, loop -> key.type().cast(factory.apply(loop)));
    }
}
