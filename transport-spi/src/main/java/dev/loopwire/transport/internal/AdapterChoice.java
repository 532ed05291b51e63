// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.Explanation.Candidate;
import dev.loopwire.transport.Explanation.Source;
import dev.loopwire.transport.Explanation.Verdict;
import dev.loopwire.transport.spi.CapabilityAdapter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which capability adapters one resolution may use, and the report of each adapter it
 * considered.
 *
 * <p><b>Trust.</b> An adapter is used only when it is trusted for the capability it offers, by
 * the rule providers follow for keys: its module (on the class path, its jar or folder) owns the
 * capability type; or it ships in loopwire's registry module and offers a standard capability
 * of loop-api ({@link Origins#isLoopwiresOwn}); or the loop it would adapt comes from the
 * adapter's own module (the loop vouches for it); or the user allowed it
 * ({@code -Dloopwire.allow}, {@code Transports.allow}). An adapter hands every channel a
 * transport registers to its own code, so a stray jar must not be able to slip one in.
 *
 * <p><b>Choice.</b> For each capability, the usable adapter whose class name sorts first:
 * never discovery (class-path) order.
 *
 * <p>One instance serves one resolution on one thread; it is not thread-safe.
 */
final class AdapterChoice {

    /** What is known of one adapter here: why it cannot be used ({@code null} if it can). */
    private record State(ProviderEntry<CapabilityAdapter<?>> entry, Class<? extends Capability> offers,
            Set<Class<? extends Capability>> requires, String refusal) {
    }

    private final EventLoop loop;
    private final Set<Class<? extends Capability>> capabilities;
    private final Settings settings;
    private final List<ProviderEntry<CapabilityAdapter<?>>> adapters;
    private final Set<Class<? extends Capability>> wanted = new HashSet<>();
    private List<State> states;

    AdapterChoice(EventLoop loop, Set<Class<? extends Capability>> capabilities, Settings settings,
            List<ProviderEntry<CapabilityAdapter<?>>> adapters) {
        this.loop = loop;
        this.capabilities = capabilities;
        this.settings = settings;
        this.adapters = adapters;
    }

    /** Judged on first need: most resolutions need no adapter, and judging asks availability(). */
    private List<State> states() {
        if (states == null) {
            Class<?> loopType = CapabilityAdapter.baseLoop(loop).getClass();
            List<ProviderEntry<CapabilityAdapter<?>>> byName = new ArrayList<>(adapters);
            byName.sort(Comparator.comparing(ProviderEntry::className));
            states = new ArrayList<>();
            for (ProviderEntry<CapabilityAdapter<?>> entry : byName) {
                states.add(state(entry, loopType, capabilities, settings));
            }
        }
        return states;
    }

    private static State state(ProviderEntry<CapabilityAdapter<?>> entry, Class<?> loopType,
            Set<Class<? extends Capability>> capabilities, Settings settings) {
        CapabilityAdapter<?> a = entry.instance();
        if (a == null) {
            return new State(entry, null, Set.of(), "failed to load: " + Discovery.describe(entry.failure()));
        }
        Class<? extends Capability> offers;
        Set<Class<? extends Capability>> requires;
        try {
            offers = a.offers();
            requires = a.requires();
        } catch (RuntimeException | LinkageError e) {
            return new State(entry, null, Set.of(), "describing itself threw " + e);
        }
        if (offers == null || requires == null) {
            return new State(entry, null, Set.of(), (offers == null ? "offers()" : "requires()") + " returned null");
        }
        String disabled = settings.disabledReason(entry.className());
        if (disabled != null) {
            return new State(entry, offers, requires, disabled);
        }
        Set<Class<? extends Capability>> lacking = new HashSet<>(requires);
        lacking.removeAll(capabilities);
        String cannotRun = lacking.isEmpty() ? null : "requires " + Dispatch.names(lacking) + ", which the loop lacks";
        Class<?> type = a.getClass();
        boolean trusted = Origins.same(type, offers) || Origins.isLoopwiresOwn(type, offers)
                || Origins.same(type, loopType) || settings.isAllowed(entry.className());
        if (!trusted) {
            // Code of an untrusted adapter is not run to probe availability: only its description.
            String foreign = "foreign: " + Origins.describe(type) + " does not own " + offers.getSimpleName()
                    + " (owner: " + Origins.describe(offers) + ")";
            return new State(entry, offers, requires, cannotRun == null
                    ? foreign + "; allow it with -D" + Settings.ALLOW + "=" + entry.className()
                    : foreign + "; it could not run here anyway: " + cannotRun);
        }
        if (cannotRun != null) {
            return new State(entry, offers, requires, cannotRun);
        }
        try {
            Availability availability = a.availability();
            if (availability == null) {
                return new State(entry, offers, requires, "unavailable: availability() returned null");
            }
            return new State(entry, offers, requires, availability.isAvailable() ? null
                    : "unavailable: " + availability.reason());
        } catch (RuntimeException | LinkageError e) {
            return new State(entry, offers, requires, "unavailable: availability() threw " + e);
        }
    }

    /**
     * For each missing capability, the usable adapter whose class name sorts first; a
     * capability no usable adapter offers is absent from the result.
     */
    Map<Class<? extends Capability>, ProviderEntry<CapabilityAdapter<?>>> find(Collection<Class<? extends Capability>> missing) {
        wanted.addAll(missing);
        Map<Class<? extends Capability>, ProviderEntry<CapabilityAdapter<?>>> found = new LinkedHashMap<>();
        for (Class<? extends Capability> capability : missing) {
            State s = first(capability);
            if (s != null) {
                found.put(capability, s.entry());
            }
        }
        return found;
    }

    private State first(Class<? extends Capability> capability) {
        for (State s : states()) {
            if (s.offers() == capability && s.refusal() == null) {
                return s;
            }
        }
        return null;
    }

    /**
     * Every adapter considered: those offering a capability some candidate lacked, and, once
     * any was needed, those that could not describe themselves. Usable ones fit ("builds X");
     * the registry marks as chosen those the chosen candidate uses.
     */
    List<Candidate> report() {
        List<Candidate> out = new ArrayList<>();
        if (wanted.isEmpty()) {
            return out;
        }
        for (State s : states()) {
            if (s.offers() != null && !wanted.contains(s.offers())) {
                continue;
            }
            ProviderEntry<CapabilityAdapter<?>> e = s.entry();
            if (s.refusal() != null) {
                out.add(candidate(e, s.requires(), Verdict.PASSED_OVER, s.refusal(), e.failure()));
                continue;
            }
            State first = first(s.offers());
            String reason = first == s ? "builds " + s.offers().getSimpleName()
                    : "another adapter for " + s.offers().getSimpleName() + " sorts first: " + first.entry().simpleName();
            out.add(candidate(e, s.requires(), Verdict.FITS, reason, null));
        }
        return out;
    }

    private static Candidate candidate(ProviderEntry<?> e, Collection<Class<? extends Capability>> requires,
            Verdict verdict, String reason, Throwable failure) {
        return new Candidate(e.simpleName(), e.className(), Source.ADAPTER, e.origin(), List.copyOf(requires), 0,
                verdict, reason, java.util.Optional.ofNullable(failure));
    }
}
