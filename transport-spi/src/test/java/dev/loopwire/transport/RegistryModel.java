// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.FuzzFixtures.AdapterSpec;
import dev.loopwire.transport.FuzzFixtures.BaseLoop;
import dev.loopwire.transport.FuzzFixtures.Outcome;
import dev.loopwire.transport.FuzzFixtures.ProviderSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A reference model of transport resolution, written from the documented rules (the
 * {@link Transports} javadoc, docs/decisions.md, README "How a transport is resolved") and not
 * from {@code Dispatch}: it lists the candidates that fit, in the order resolution tries them.
 * Deliberately naive: lists and sorts, no caching, no reports.
 */
final class RegistryModel {

    /** A provider as discovery found it; {@code spec} is {@code null} when it failed to load. */
    record ProviderDecl(String className, ProviderSpec spec) {
    }

    record AdapterDecl(String className, AdapterSpec spec) {
    }

    record InstanceReg(int seq, EventLoop loop, TransportKey<?> key, String label) {
    }

    record ClassReg(int seq, Class<? extends EventLoop> type, TransportKey<?> key, Outcome outcome, String label) {
    }

    /**
     * A fitting candidate. {@code tag} is what {@code explain} must show for it (source and
     * class name, or the registered type); {@code provider} is its class name if it is a provider.
     */
    record Step(String tag, String label, Outcome outcome, String provider) {
    }

    final List<ProviderDecl> providers = new ArrayList<>();
    final List<AdapterDecl> adapters = new ArrayList<>();
    final Map<String, String> properties = new HashMap<>();
    final Set<String> denied = new HashSet<>();
    final Set<String> allowed = new HashSet<>();
    final Map<String, String> preferred = new HashMap<>();
    final List<InstanceReg> instanceRegs = new ArrayList<>();
    final List<ClassReg> classRegs = new ArrayList<>();

    /** The candidates that fit {@code key} on {@code loop}, in the order resolution tries them. */
    List<Step> fitting(BaseLoop loop, TransportKey<?> key) {
        String forced = trimmed(properties.get("loopwire.provider." + key.name()));
        List<Step> out = new ArrayList<>();
        // 2. the loop's own implementation, then registrations on the instance, newest first.
        Optional<?> own = loop.implementation(key);
        own.ifPresent(impl -> out.add(new Step("LOOP", FuzzFixtures.label(impl), Outcome.OK, null)));
        instanceRegs.stream().filter(r -> r.loop() == loop && answers(key, r.key()))
                .sorted(Comparator.comparingInt(InstanceReg::seq).reversed())
                .forEach(r -> out.add(new Step("LOOP_REGISTRATION", r.label(), Outcome.OK, null)));
        // 3. registrations for the loop's class or a supertype, most specific first, then newest.
        classRegs.stream().filter(r -> answers(key, r.key()) && r.type().isInstance(loop))
                .sorted(Comparator.comparingInt((ClassReg r) -> depth(loop.getClass(), r.type()))
                        .thenComparing(Comparator.comparingInt(ClassReg::seq).reversed()))
                .forEach(r -> out.add(new Step("CLASS_REGISTRATION registered for " + r.type().getName(), r.label(),
                        r.outcome(), null)));
        // 3-5. providers: native to the loop's type, then by capabilities, then through adapters.
        List<ProviderDecl> natives = new ArrayList<>();
        List<ProviderDecl> direct = new ArrayList<>();
        List<ProviderDecl> adapted = new ArrayList<>();
        for (ProviderDecl p : providers) {
            ProviderSpec s = p.spec();
            if (s == null || !answers(key, s.key()) || !usable(p, loop, forced)) {
                continue;
            }
            Set<Class<? extends Capability>> missing = new LinkedHashSet<>(s.requires());
            missing.removeAll(loop.capabilities());
            if (missing.isEmpty()) {
                (s.loopType() != null ? natives : direct).add(p);
            } else if (missing.stream().allMatch(c -> adapter(c, loop) != null)) {
                adapted.add(p);
            }
        }
        Comparator<ProviderDecl> rank = rank(key);
        natives.sort(Comparator.comparingInt((ProviderDecl p) -> depth(loop.getClass(), p.spec().loopType()))
                .thenComparing(rank));
        direct.sort(rank);
        adapted.sort(rank);
        natives.forEach(p -> out.add(providerStep("NATIVE_PROVIDER", p)));
        direct.forEach(p -> out.add(providerStep("PROVIDER", p)));
        adapted.forEach(p -> out.add(adaptedStep(p, loop, key)));
        // 1. the property names the provider: only it may be used, or resolution fails.
        if (forced != null) {
            return out.stream().filter(s -> forced.equals(s.provider())).limit(1).toList();
        }
        return out;
    }

    private static Step providerStep(String source, ProviderDecl p) {
        return new Step(source + " " + p.className(), FuzzFixtures.simple(p.className()), p.spec().outcome(),
                p.className());
    }

    /**
     * A provider that fits through adapters: the first usable adapter by class name for each
     * missing capability (never discovery order). If an adapter's {@code adapt} fails, creating
     * the candidate fails and resolution moves on, as when {@code create} throws.
     */
    private Step adaptedStep(ProviderDecl p, BaseLoop loop, TransportKey<?> key) {
        List<String> via = new ArrayList<>();
        Outcome outcome = p.spec().outcome();
        for (Class<? extends Capability> c : p.spec().requires()) {
            if (!loop.capabilities().contains(c)) {
                AdapterDecl a = adapter(c, loop);
                via.add(FuzzFixtures.simple(a.className()) + " for " + c.getSimpleName());
                outcome = a.spec().adapt() == Outcome.OK ? outcome : Outcome.THROW;
            }
        }
        String alias = p.spec().key() == key ? "" : " (as '" + p.spec().key().name() + "', which this key replaces)";
        return new Step("ADAPTED_PROVIDER " + p.className() + " through " + String.join(", ", via) + alias,
                FuzzFixtures.simple(p.className()), outcome, p.className());
    }

    /** Providers and registrations for a name the key replaces count when their type fits. */
    private static boolean answers(TransportKey<?> key, TransportKey<?> other) {
        return key.answersTo(other.name()) && key.type().isAssignableFrom(other.type());
    }

    /** Not switched off, trusted for its key, native to this loop if native at all, available. */
    private boolean usable(ProviderDecl p, BaseLoop loop, String forced) {
        ProviderSpec s = p.spec();
        if (disabled(p.className())) {
            return false; // the kill switch beats everything, the property override included
        }
        Module mine = RegistryModel.class.getModule(); // every pooled provider lives in this module
        boolean owned = s.key() != FuzzFixtures.FOREIGN;
        boolean nativeToOwnLoop = s.loopType() != null && mine.isNamed() && s.loopType().getModule() == mine;
        boolean trusted = owned || nativeToOwnLoop || allowed(p.className()) || p.className().equals(forced);
        if (!trusted) {
            return false;
        }
        if (s.loopType() != null && !s.loopType().isInstance(loop)) {
            return false;
        }
        return s.available();
    }

    private AdapterDecl adapter(Class<? extends Capability> wanted, BaseLoop loop) {
        return adapters.stream().filter(a -> a.spec().offers() == wanted && !disabled(a.className())
                && a.spec().available() && loop.capabilities().containsAll(a.spec().requires()))
                .min(Comparator.comparing(AdapterDecl::className)).orElse(null);
    }

    private Comparator<ProviderDecl> rank(TransportKey<?> key) {
        String preferredClass = preferred.get(key.name());
        return Comparator.comparing((ProviderDecl p) -> !p.className().equals(preferredClass))
                .thenComparing(p -> -p.spec().priority())
                .thenComparing(p -> -p.spec().requires().size())
                .thenComparing(ProviderDecl::className);
    }

    private boolean disabled(String className) {
        return list(properties.get("loopwire.disable")).contains(className) || denied.contains(className);
    }

    private boolean allowed(String className) {
        return list(properties.get("loopwire.allow")).contains(className) || allowed.contains(className);
    }

    /**
     * How far {@code type} is above {@code loopClass}, counted along the LONGEST chain of direct
     * supertypes, or {@code Integer.MAX_VALUE} if it is not a supertype. "Most specific first"
     * means a type always comes before its own supertypes: with the longest chain that holds
     * even when a class re-declares an interface its superclass already implements
     * ({@code class RedundantLeafLoop extends LeafLoop implements EventLoop}); the shortest
     * chain would put {@code EventLoop} (1 step) before {@code BaseLoop} (3 steps).
     */
    static int depth(Class<?> loopClass, Class<?> type) {
        if (loopClass == type) {
            return 0;
        }
        int best = Integer.MAX_VALUE;
        List<Class<?>> parents = new ArrayList<>(Arrays.asList(loopClass.getInterfaces()));
        if (loopClass.getSuperclass() != null) {
            parents.add(loopClass.getSuperclass());
        }
        for (Class<?> parent : parents) {
            int d = depth(parent, type);
            if (d != Integer.MAX_VALUE) {
                best = best == Integer.MAX_VALUE ? d + 1 : Math.max(best, d + 1);
            }
        }
        return best;
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Set<String> list(String value) {
        if (value == null) {
            return Set.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
