// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.Explanation.Candidate;
import dev.loopwire.transport.Explanation.Source;
import dev.loopwire.transport.Explanation.Verdict;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The double dispatch for one loop and key: every candidate in the order they are tried, each
 * either fitting (with a way to create it) or passed over with the reason.
 *
 * <p>Order: the provider named by {@code -Dloopwire.provider.<key>}; the loop's own
 * implementation; registrations on the loop instance (newest first); registrations for the
 * loop's class and supertypes (most specific first); providers native to the loop's type (most
 * specific first); providers whose required capabilities the loop offers; providers that fit
 * through capability adapters; then everything passed over. Among providers: the preferred one,
 * then priority (highest first), then more required capabilities, then class name.
 */
final class Dispatch<T> {

    /** A candidate and, if it fits, how to create its implementation. */
    record Option(Candidate candidate, Supplier<Object> creator, List<String> adapters) {
        Option(Candidate candidate, Supplier<Object> creator) {
            this(candidate, creator, List.of());
        }

        boolean fits() {
            return creator != null;
        }
    }

    /**
     * What a user could change so that something fits: the providers passed over only for
     * capabilities the loop lacks (with what they require), and the foreign providers that
     * would fit if allowed.
     */
    record Hints(List<Candidate> missingCapabilities, List<String> allowable) {
    }

    private final EventLoop loop;
    private final TransportKey<T> key;
    private final Set<Class<? extends Capability>> capabilities;
    private final Settings settings;
    private final List<ProviderEntry<TransportProvider<?>>> providers;
    private final AdapterChoice adapters;
    private final BiFunction<EventLoop, CapabilityAdapter<?>, Capability> facets;
    private final Map<Class<?>, Integer> distances;
    private final List<Candidate> missingCapabilities = new ArrayList<>();
    private final List<String> allowable = new ArrayList<>();

    Dispatch(EventLoop loop, TransportKey<T> key, Settings settings,
            List<ProviderEntry<TransportProvider<?>>> providers,
            List<ProviderEntry<CapabilityAdapter<?>>> adapters,
            BiFunction<EventLoop, CapabilityAdapter<?>, Capability> facets) {
        this.loop = loop;
        this.key = key;
        this.capabilities = loop.capabilities();
        this.settings = settings;
        this.providers = providers;
        this.adapters = new AdapterChoice(loop, capabilities, settings, adapters);
        this.facets = facets;
        this.distances = distances(loop.getClass());
    }

    List<Option> options(List<Registry.LoopRegistration> loopRegistrations,
            List<Registry.ClassRegistration> classRegistrations) {
        List<Option> out = new ArrayList<>();
        loopOwn(out);
        for (int i = loopRegistrations.size() - 1; i >= 0; i--) {
            Registry.LoopRegistration r = loopRegistrations.get(i);
            if (r.loop() == loop && answers(r.key())) {
                out.add(fit(r.impl().getClass().getName(), Source.LOOP_REGISTRATION, "registered on loop '" + loop.name() + "'",
                        List.of(), 0, "registered on this loop" + aliasNote(r.key()), () -> r.impl()));
            }
        }
        List<Registry.ClassRegistration> byClass = new ArrayList<>();
        for (int i = classRegistrations.size() - 1; i >= 0; i--) {
            Registry.ClassRegistration r = classRegistrations.get(i);
            if (r.loopType().isInstance(loop) && answers(r.key())) {
                byClass.add(r);
            }
        }
        byClass.sort(Comparator.comparingInt(r -> distance(r.loopType())));
        for (Registry.ClassRegistration r : byClass) {
            out.add(fit(r.factoryDescription(), Source.CLASS_REGISTRATION, "registered for " + r.loopType().getName(),
                    List.of(), 0, "registered for " + r.loopType().getSimpleName() + aliasNote(r.key()),
                    () -> r.create(loop)));
        }
        providerOptions(out);
        return applyForced(out);
    }

    private void loopOwn(List<Option> out) {
        Optional<T> own;
        try {
            own = loop.implementation(key);
        } catch (RuntimeException e) {
            out.add(new Option(candidate(loop.getClass().getName(), Source.LOOP, "loop '" + loop.name() + "'",
                    List.of(), 0, Verdict.PASSED_OVER, "implementation(key) threw " + e, e), null));
            return;
        }
        if (own != null && own.isPresent()) {
            T impl = own.get();
            out.add(fit(impl.getClass().getName(), Source.LOOP, "loop '" + loop.name() + "' (" + loop.getClass().getName() + ")",
                    List.of(), 0, "the loop's own implementation", () -> impl));
        }
    }

    private record Ranked(Option option, TransportProvider<?> provider, String className, int distance) {
    }

    private void providerOptions(List<Option> out) {
        List<Ranked> natives = new ArrayList<>();
        List<Ranked> direct = new ArrayList<>();
        List<Ranked> adapted = new ArrayList<>();
        List<Option> passed = new ArrayList<>();
        for (ProviderEntry<TransportProvider<?>> entry : providers) {
            evaluate(entry, natives, direct, adapted, passed);
        }
        String preferred = settings.preferred().get(key.name());
        Comparator<Ranked> rank = Comparator
                .comparing((Ranked r) -> !r.className().equals(preferred))
                .thenComparing(r -> r.provider().priority(), Comparator.reverseOrder())
                .thenComparing(r -> r.provider().requires().size(), Comparator.reverseOrder())
                .thenComparing(Ranked::className);
        natives.sort(Comparator.comparingInt(Ranked::distance).thenComparing(rank));
        direct.sort(rank);
        adapted.sort(rank);
        natives.forEach(r -> out.add(r.option()));
        direct.forEach(r -> out.add(r.option()));
        adapted.forEach(r -> out.add(r.option()));
        passed.sort(Comparator.comparing(o -> o.candidate().className()));
        out.addAll(passed);
    }

    private void evaluate(ProviderEntry<TransportProvider<?>> entry, List<Ranked> natives, List<Ranked> direct,
            List<Ranked> adapted, List<Option> passed) {
        String className = entry.className();
        if (entry.failure() != null) {
            passed.add(passedOver(entry, Source.PROVIDER, List.of(), 0, "failed to load: " + Discovery.describe(entry.failure()), entry.failure()));
            return;
        }
        TransportProvider<?> p = entry.instance();
        TransportKey<?> providerKey;
        Set<Class<? extends Capability>> requires;
        Optional<Class<? extends EventLoop>> loopType;
        int priority;
        try {
            providerKey = p.key();
            if (providerKey == null || !answers(providerKey.name())) {
                return; // another key's provider: not a candidate at all
            }
            requires = p.requires();
            loopType = p.loopType();
            priority = p.priority();
            if (requires == null || loopType == null) {
                passed.add(passedOver(entry, Source.PROVIDER, List.of(), 0,
                        (requires == null ? "requires()" : "loopType()") + " returned null", null));
                return;
            }
        } catch (RuntimeException | LinkageError e) {
            passed.add(passedOver(entry, Source.PROVIDER, List.of(), 0, "describing itself threw " + e, e));
            return;
        }
        Source source = loopType.isPresent() ? Source.NATIVE_PROVIDER : Source.PROVIDER;
        String reason = refusal(entry, p, providerKey, loopType, requires);
        if (reason != null) {
            passed.add(passedOver(entry, source, requires, priority, reason, null));
            return;
        }
        Set<Class<? extends Capability>> missing = new LinkedHashSet<>(requires);
        missing.removeAll(capabilities);
        String alias = aliasNote(providerKey);
        if (missing.isEmpty()) {
            Option option = fit(entry, source, requires, priority, "offers every required capability" + alias,
                    () -> p.create(loop));
            (loopType.isPresent() ? natives : direct).add(new Ranked(option, p, className,
                    loopType.map(this::distance).orElse(0)));
            return;
        }
        Map<Class<? extends Capability>, ProviderEntry<CapabilityAdapter<?>>> found = adapters.find(missing);
        if (found.size() == missing.size()) {
            String via = "through " + String.join(", ", found.entrySet().stream()
                    .map(e -> e.getValue().simpleName() + " for " + e.getKey().getSimpleName()).toList()) + alias;
            Option option = new Option(candidate(className, Source.ADAPTED_PROVIDER, entry.origin(), requires, priority,
                    Verdict.FITS, via, null), () -> p.create(adaptedLoop(found)),
                    found.values().stream().map(ProviderEntry::className).toList());
            adapted.add(new Ranked(option, p, className, 0));
            return;
        }
        Option option = passedOver(entry, source, requires, priority, "missing " + names(missing), null);
        if (!loopType.isPresent()) {
            missingCapabilities.add(option.candidate());
        }
        passed.add(option);
    }

    /** Why a provider that implements this key may not be used here, or {@code null}. */
    private String refusal(ProviderEntry<?> entry, TransportProvider<?> p, TransportKey<?> providerKey,
            Optional<Class<? extends EventLoop>> loopType, Set<Class<? extends Capability>> requires) {
        String className = entry.className();
        if (!key.type().isAssignableFrom(providerKey.type())) {
            return "implements '" + providerKey.name() + "' with " + providerKey.type().getName()
                    + ", which is not a " + key.type().getName();
        }
        String disabled = settings.disabledReason(className);
        if (disabled != null) {
            return disabled;
        }
        String wrongLoop = loopType.isPresent() && !loopType.get().isInstance(loop)
                ? "native to " + loopType.get().getSimpleName() + ", not " + loop.getClass().getSimpleName() : null;
        // On the class path, ownership follows the code source (jar) of the key's type, not its
        // package: any jar can declare a class in another jar's package.
        boolean owned = Origins.same(p.getClass(), providerKey.type());
        boolean nativeToOwnLoop = loopType.isPresent() && Origins.same(loopType.get(), p.getClass());
        if (!owned && !nativeToOwnLoop && !settings.isAllowed(className) && !className.equals(settings.forced(key.name()))) {
            String foreign = "foreign: " + Origins.describe(p.getClass()) + " does not own '" + providerKey.name()
                    + "' (owner: " + Origins.describe(providerKey.type()) + ")";
            String otherwise = wrongLoop != null ? wrongLoop : uncovered(requires);
            if (otherwise != null) {
                return foreign + "; it would not fit anyway: " + otherwise;
            }
            allowable.add(className);
            return foreign + "; allow it with -D" + Settings.ALLOW + "=" + className;
        }
        if (wrongLoop != null) {
            return wrongLoop;
        }
        Availability availability;
        try {
            availability = p.availability();
        } catch (RuntimeException | LinkageError e) {
            return "unavailable: availability() threw " + e;
        }
        if (availability == null) {
            return "unavailable: availability() returned null";
        }
        return availability.isAvailable() ? null : "unavailable: " + availability.reason();
    }

    /** "missing X" if some required capability is neither offered nor adapted, else {@code null}. */
    private String uncovered(Set<Class<? extends Capability>> requires) {
        Set<Class<? extends Capability>> missing = new LinkedHashSet<>(requires);
        missing.removeAll(capabilities);
        if (missing.isEmpty() || adapters.find(missing).size() == missing.size()) {
            return null;
        }
        return "missing " + names(missing);
    }

    /** Every adapter this resolution considered, with its verdict; call after {@link #options}. */
    List<Candidate> adapterReport() {
        return adapters.report();
    }

    /** What would make something fit; call after {@link #options}. */
    Hints hints() {
        return new Hints(List.copyOf(missingCapabilities), List.copyOf(allowable));
    }

    private EventLoop adaptedLoop(Map<Class<? extends Capability>, ProviderEntry<CapabilityAdapter<?>>> found) {
        Map<Class<? extends Capability>, Capability> built = new HashMap<>();
        found.forEach((type, adapter) -> built.put(type, facets.apply(loop, adapter.instance())));
        return new AdaptedLoop(loop, built);
    }

    /** The forced provider goes first; every other fitting candidate is passed over. */
    private List<Option> applyForced(List<Option> options) {
        String forced = settings.forced(key.name());
        if (forced == null) {
            return options;
        }
        String because = "not the provider named by -D" + Settings.PROVIDER_PREFIX + key.name() + "=" + forced;
        List<Option> out = new ArrayList<>();
        for (Option o : options) {
            if (o.candidate().className().equals(forced) && o.candidate().source() != Source.LOOP) {
                out.add(0, o);
            } else if (o.fits()) {
                out.add(new Option(o.candidate().with(Verdict.PASSED_OVER, because, null), null));
            } else {
                out.add(o);
            }
        }
        if (out.isEmpty() || !out.get(0).candidate().className().equals(forced)) {
            out.add(0, new Option(candidate(forced, Source.PROPERTY, "-D" + Settings.PROVIDER_PREFIX + key.name(),
                    List.of(), 0, Verdict.PASSED_OVER, "no provider of this key has that class", null), null));
        }
        return out;
    }

    private boolean answers(TransportKey<?> other) {
        return answers(other.name()) && key.type().isAssignableFrom(other.type());
    }

    private boolean answers(String name) {
        return key.answersTo(name);
    }

    private String aliasNote(TransportKey<?> other) {
        return other.name().equals(key.name()) ? "" : " (as '" + other.name() + "', which this key replaces)";
    }

    private int distance(Class<?> type) {
        return distances.getOrDefault(type, Integer.MAX_VALUE);
    }

    /**
     * The distance from a class to each of its supertypes along the LONGEST chain of direct
     * supertypes, so that a type always sorts before its own supertypes ("most specific
     * first"). The shortest chain does not guarantee that: in
     * {@code class MyLoop extends SelectorLoop implements EventLoop} (legal and common, as in
     * {@code ArrayList extends AbstractList implements List}) {@code EventLoop} is one step away
     * and {@code SelectorLoop}'s superclasses two or more, so a registration for
     * {@code EventLoop} would beat one for a superclass of the loop.
     */
    private static Map<Class<?>, Integer> distances(Class<?> start) {
        Map<Class<?>, Integer> out = new HashMap<>();
        ArrayDeque<Class<?>> queue = new ArrayDeque<>();
        out.put(start, 0);
        queue.add(start);
        // Relax edges until no distance grows; type hierarchies are acyclic and small.
        while (!queue.isEmpty()) {
            Class<?> c = queue.poll();
            List<Class<?>> parents = new ArrayList<>(List.of(c.getInterfaces()));
            if (c.getSuperclass() != null) {
                parents.add(0, c.getSuperclass());
            }
            int next = out.get(c) + 1;
            for (Class<?> parent : parents) {
                if (out.getOrDefault(parent, -1) < next) {
                    out.put(parent, next);
                    queue.add(parent);
                }
            }
        }
        return out;
    }

    private Option fit(ProviderEntry<?> entry, Source source, Collection<Class<? extends Capability>> requires,
            int priority, String reason, Supplier<Object> creator) {
        return new Option(candidate(entry.className(), source, entry.origin(), requires, priority, Verdict.FITS,
                reason, null), creator);
    }

    private Option fit(String className, Source source, String origin, Collection<Class<? extends Capability>> requires,
            int priority, String reason, Supplier<Object> creator) {
        return new Option(candidate(className, source, origin, requires, priority, Verdict.FITS, reason, null), creator);
    }

    private Option passedOver(ProviderEntry<?> entry, Source source, Collection<Class<? extends Capability>> requires,
            int priority, String reason, Throwable failure) {
        return new Option(candidate(entry.className(), source, entry.origin(), requires, priority, Verdict.PASSED_OVER,
                reason, failure), null);
    }

    private static Candidate candidate(String className, Source source, String origin,
            Collection<Class<? extends Capability>> requires, int priority, Verdict verdict, String reason,
            Throwable failure) {
        // A lambda's hidden class is named like "a.b.Owner$$Lambda$14/0x0000...": show "Owner lambda".
        int lambda = className.indexOf("$$Lambda");
        String shown = lambda < 0 ? className : className.substring(0, lambda) + " lambda";
        String simple = shown.substring(shown.lastIndexOf('.') + 1);
        simple = simple.substring(simple.lastIndexOf('$') + 1);
        return new Candidate(simple, shown, source, origin, List.copyOf(requires), priority, verdict, reason,
                Optional.ofNullable(failure));
    }

    static String names(Collection<Class<? extends Capability>> types) {
        return String.join(", ", types.stream().map(Class::getSimpleName).sorted().toList());
    }
}
