// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.loop.spi.EventLoopProvider;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Explanation.Candidate;
import dev.loopwire.transport.Explanation.Verdict;
import dev.loopwire.transport.ProviderInfo;
import dev.loopwire.transport.Registration;
import dev.loopwire.transport.UnsupportedTransportException;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The state behind {@code Transports}: discovered providers and adapters, registrations,
 * programmatic overrides, and the per-(loop, key) cache.
 *
 * <p>A cached resolution costs two {@link ConcurrentHashMap} lookups and allocates nothing.
 * Anything that could change a result (a registration, a preference, a denial, an allowance, a
 * reload) drops the whole cache. Closed loops are purged whenever the slow path runs.
 */
public final class Registry {

    /** An implementation registered on one loop instance. */
    record LoopRegistration(EventLoop loop, TransportKey<?> key, Object impl) {
    }

    /** A factory registered for a loop class and its subclasses. */
    record ClassRegistration(Class<? extends EventLoop> loopType, TransportKey<?> key,
            Function<EventLoop, ?> factory, String factoryDescription) {
        Object create(EventLoop loop) {
            return factory.apply(loop);
        }
    }

    private record Resolved(Object impl, Explanation explanation) {
    }

    private record Loaded(List<ProviderEntry<TransportProvider<?>>> providers,
            List<ProviderEntry<CapabilityAdapter<?>>> adapters, int version) {
    }

    private final Supplier<List<ProviderEntry<TransportProvider<?>>>> providerSource;
    private final Supplier<List<ProviderEntry<CapabilityAdapter<?>>>> adapterSource;
    private final Function<String, String> properties;
    private final IntSupplier sourceVersion;
    private final Supplier<List<EventLoopProvider>> loopKinds;
    private final Object lock = new Object();
    private final List<LoopRegistration> loopRegistrations = new CopyOnWriteArrayList<>();
    private final List<ClassRegistration> classRegistrations = new CopyOnWriteArrayList<>();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final Set<String> allowed = ConcurrentHashMap.newKeySet();
    private final Map<String, String> preferred = new ConcurrentHashMap<>();
    private final Map<EventLoop, Map<CapabilityAdapter<?>, Capability>> facets = new ConcurrentHashMap<>();
    private volatile Loaded loaded;
    private volatile ConcurrentHashMap<EventLoop, ConcurrentHashMap<TransportKey<?>, Resolved>> cache =
            new ConcurrentHashMap<>();

    /**
     * Creates a registry.
     *
     * @param providerSource loads the transport providers (called lazily, and again on reload)
     * @param adapterSource loads the capability adapters
     * @param properties reads a system property ({@code System::getProperty} in production)
     */
    public Registry(Supplier<List<ProviderEntry<TransportProvider<?>>>> providerSource,
            Supplier<List<ProviderEntry<CapabilityAdapter<?>>>> adapterSource,
            Function<String, String> properties) {
        this(providerSource, adapterSource, properties, () -> 0, List::of);
    }

    /**
     * Creates a registry whose sources can grow (plugin folders): when {@code sourceVersion}
     * changes, providers are discovered again and the cache is dropped. {@code loopKinds} lists
     * the kinds of loop that could be opened ({@code EventLoops::providers}); it is asked only to
     * tell a user, when nothing fits, which loops would.
     */
    public Registry(Supplier<List<ProviderEntry<TransportProvider<?>>>> providerSource,
            Supplier<List<ProviderEntry<CapabilityAdapter<?>>>> adapterSource,
            Function<String, String> properties, IntSupplier sourceVersion,
            Supplier<List<EventLoopProvider>> loopKinds) {
        this.loopKinds = Objects.requireNonNull(loopKinds, "loopKinds");
        this.sourceVersion = Objects.requireNonNull(sourceVersion, "sourceVersion");
        this.providerSource = Objects.requireNonNull(providerSource, "providerSource");
        this.adapterSource = Objects.requireNonNull(adapterSource, "adapterSource");
        this.properties = Objects.requireNonNull(properties, "properties");
    }

    public <T> T resolve(EventLoop loop, TransportKey<T> key) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<TransportKey<?>, Resolved> perLoop = cache.get(loop);
        if (perLoop != null) {
            Resolved resolved = perLoop.get(key);
            if (resolved != null) {
                return key.type().cast(resolved.impl());
            }
        }
        return resolveSlowly(loop, key);
    }

    private <T> T resolveSlowly(EventLoop loop, TransportKey<T> key) {
        synchronized (lock) {
            loaded(); // may drop the cache if plugin folders were added: do it before reading the cache
            purgeClosedLoops();
            ConcurrentHashMap<TransportKey<?>, Resolved> perLoop = cache.computeIfAbsent(loop, l -> new ConcurrentHashMap<>());
            Resolved existing = perLoop.get(key);
            if (existing != null) {
                return key.type().cast(existing.impl());
            }
            Dispatch<T> dispatch = dispatch(loop, key);
            List<Dispatch.Option> options = dispatch.options(loopRegistrations, classRegistrations);
            List<Candidate> report = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            Object chosen = null;
            Dispatch.Option chosenOption = null;
            for (Dispatch.Option option : options) {
                Candidate c = option.candidate();
                if (chosen != null) {
                    report.add(option.fits() ? c.with(Verdict.FITS, c.reason(), null) : c);
                    continue;
                }
                if (!option.fits()) {
                    report.add(c);
                    continue;
                }
                try {
                    Object impl = option.creator().get();
                    if (impl == null) {
                        report.add(c.with(Verdict.PASSED_OVER, "create returned null", null));
                    } else if (!key.type().isInstance(impl)) {
                        report.add(c.with(Verdict.PASSED_OVER, "created a " + impl.getClass().getName()
                                + ", not a " + key.type().getName(), null));
                    } else {
                        chosen = impl;
                        chosenOption = option;
                        report.add(c.with(Verdict.CHOSEN, c.reason(), null));
                    }
                } catch (RuntimeException | LinkageError e) {
                    failures.add(e);
                    report.add(c.with(Verdict.PASSED_OVER, "create threw " + e, e));
                }
            }
            Explanation explanation = explanation(loop, key, dispatch, report, chosenOption);
            if (chosen == null) {
                UnsupportedTransportException e =
                        new UnsupportedTransportException(explanation.failureMessage(), explanation);
                failures.forEach(e::addSuppressed);
                throw e;
            }
            perLoop.put(key, new Resolved(chosen, explanation));
            return key.type().cast(chosen);
        }
    }

    /**
     * The report for a loop and key. Once the key is resolved for the loop, the report of that
     * resolution; before, what resolution would try, without creating anything.
     */
    public Explanation explain(EventLoop loop, TransportKey<?> key) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<TransportKey<?>, Resolved> perLoop = cache.get(loop);
        Resolved resolved = perLoop == null ? null : perLoop.get(key);
        if (resolved != null) {
            return resolved.explanation();
        }
        List<Candidate> report = new ArrayList<>();
        Dispatch.Option chosen = null;
        Dispatch<?> dispatch = dispatch(loop, key);
        for (Dispatch.Option option : dispatch.options(loopRegistrations, classRegistrations)) {
            Candidate c = option.candidate();
            if (option.fits() && chosen == null) {
                chosen = option;
                report.add(c.with(Verdict.CHOSEN, c.reason(), null));
            } else {
                report.add(c);
            }
        }
        return explanation(loop, key, dispatch, report, chosen);
    }

    private <T> Dispatch<T> dispatch(EventLoop loop, TransportKey<T> key) {
        Loaded l = loaded();
        Settings settings = Settings.read(properties, denied, allowed, preferred);
        return new Dispatch<>(loop, key, settings, l.providers(), l.adapters(), this::facet);
    }

    /**
     * The report: the adapters the chosen candidate uses are marked chosen; when nothing was
     * chosen, the remedy says what would fit (only then are the kinds of loop asked).
     */
    private Explanation explanation(EventLoop loop, TransportKey<?> key, Dispatch<?> dispatch, List<Candidate> report,
            Dispatch.Option chosen) {
        List<Candidate> adapters = new ArrayList<>();
        for (Candidate a : dispatch.adapterReport()) {
            boolean used = chosen != null && chosen.adapters().contains(a.className());
            adapters.add(used ? a.with(Verdict.CHOSEN, a.reason(), null) : a);
        }
        String remedy = chosen == null ? Remedy.of(dispatch.hints(), loopKinds.get()) : null;
        return new Explanation(key.name(), loop.name(), loop.capabilities(), report, adapters, remedy);
    }

    private Capability facet(EventLoop loop, CapabilityAdapter<?> adapter) {
        return facets.computeIfAbsent(loop, l -> new ConcurrentHashMap<>())
                .computeIfAbsent(adapter, a -> Objects.requireNonNull(a.adapt(loop),
                        () -> a.getClass().getName() + ".adapt returned null"));
    }

    public <T> Registration register(EventLoop loop, TransportKey<T> key, T impl) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(impl, "impl");
        if (!key.type().isInstance(impl)) {
            throw new IllegalArgumentException("Implementation " + impl.getClass().getName() + " registered for '"
                    + key.name() + "' is not a " + key.type().getName());
        }
        return add(loopRegistrations, new LoopRegistration(loop, key, impl));
    }

    public <L extends EventLoop, T> Registration register(Class<L> loopType, TransportKey<T> key,
            Function<? super L, ? extends T> factory) {
        Objects.requireNonNull(loopType, "loopType");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(factory, "factory");
        Function<EventLoop, ?> f = loop -> factory.apply(loopType.cast(loop));
        return add(classRegistrations, new ClassRegistration(loopType, key, f, factory.getClass().getName()));
    }

    private <R> Registration add(List<R> list, R registration) {
        synchronized (lock) {
            list.add(registration);
            invalidate();
        }
        return () -> {
            synchronized (lock) {
                if (list.remove(registration)) {
                    invalidate();
                }
            }
        };
    }

    public void prefer(TransportKey<?> key, String providerClass) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(providerClass, "providerClass");
        change(() -> preferred.put(key.name(), providerClass));
    }

    public void deny(String providerClass) {
        Objects.requireNonNull(providerClass, "providerClass");
        change(() -> denied.add(providerClass));
    }

    public void allow(String providerClass) {
        Objects.requireNonNull(providerClass, "providerClass");
        change(() -> allowed.add(providerClass));
    }

    /** Forgets every programmatic preference, denial and allowance. */
    public void clearOverrides() {
        change(() -> {
            preferred.clear();
            denied.clear();
            allowed.clear();
        });
    }

    /** Discovers providers again and drops every cached resolution (system properties are read anew anyway). */
    public void reload() {
        change(() -> loaded = null);
    }

    private void change(Runnable change) {
        synchronized (lock) {
            change.run();
            invalidate();
        }
    }

    private void invalidate() {
        cache = new ConcurrentHashMap<>();
    }

    private void purgeClosedLoops() {
        cache.keySet().removeIf(EventLoop::isClosed);
        facets.keySet().removeIf(EventLoop::isClosed);
        loopRegistrations.removeIf(r -> r.loop().isClosed());
    }

    private Loaded loaded() {
        Loaded l = loaded;
        if (l == null || l.version() != sourceVersion.getAsInt()) {
            synchronized (lock) {
                l = loaded;
                int version = sourceVersion.getAsInt();
                if (l == null || l.version() != version) {
                    l = new Loaded(providerSource.get(), adapterSource.get(), version);
                    loaded = l;
                    invalidate();
                }
            }
        }
        return l;
    }

    public List<ProviderInfo> providers() {
        return loaded().providers().stream().map(e -> info(e, p -> p.key().name(), TransportProvider::requires,
                TransportProvider::priority, TransportProvider::availability)).toList();
    }

    public List<ProviderInfo> adapters() {
        return loaded().adapters().stream().map(e -> info(e, a -> a.offers().getName(), CapabilityAdapter::requires,
                a -> 0, CapabilityAdapter::availability)).toList();
    }

    private static <S> ProviderInfo info(ProviderEntry<S> e, Function<S, String> keyName,
            Function<S, Set<Class<? extends Capability>>> requires, Function<S, Integer> priority,
            Function<S, Availability> availability) {
        S s = e.instance();
        if (s == null) {
            return new ProviderInfo(e.className(), Optional.empty(), e.module(), e.version(), e.location(), Set.of(), 0,
                    Availability.unavailable("failed to load: " + Discovery.describe(e.failure())), Optional.of(e.failure()));
        }
        try {
            Availability a = availability.apply(s);
            return new ProviderInfo(e.className(), Optional.of(keyName.apply(s)), e.module(), e.version(), e.location(),
                    Set.copyOf(requires.apply(s)), priority.apply(s),
                    a != null ? a : Availability.unavailable("availability() returned null"), Optional.empty());
        } catch (RuntimeException | LinkageError x) {
            return new ProviderInfo(e.className(), Optional.empty(), e.module(), e.version(), e.location(), Set.of(), 0,
                    Availability.unavailable("describing itself threw " + x), Optional.of(x));
        }
    }
}
