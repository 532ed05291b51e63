// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import dev.loopwire.loop.internal.CodeOwners;
import dev.loopwire.loop.internal.LoopTrust;
import dev.loopwire.loop.spi.CurrentLoop;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.stream.Collectors;

/**
 * Finds and opens event loops.
 *
 * <p>Loop kinds are found with {@link ServiceLoader} ({@link EventLoopProvider}) on the module
 * path, the class path and in {@linkplain Plugins plugin folders}. {@link #open()}
 * picks one in the order the JDK uses for its own providers: the system property
 * {@code loopwire.loop} naming a kind first, then the highest {@linkplain
 * EventLoopProvider#priority() priority} among the available kinds, ties broken by name — never
 * by class-path order.
 *
 * <p><b>Names.</b> {@link #open(String)} accepts a kind's {@linkplain EventLoopProvider#name()
 * name} or one of its {@linkplain EventLoopProvider#aliases() aliases}: the completion loop of
 * {@code dev.loopwire.loop.completion} is {@code completion}, and also {@code io_uring} on Linux or
 * {@code iocp} on Windows. A name wins over another kind's alias.
 *
 * <p><b>Trust.</b> A loop sees every socket a transport opens on it, so a kind of loop that a
 * stray jar brought along must never become a loop the user did not ask for. {@link #open()} and
 * the {@linkplain #defaultLoop() default loop} choose only among loopwire's own kinds and the
 * kinds whose provider class the user allowed with {@code -Dloopwire.allow=<class>[,<class>...]};
 * any other kind opens only when named, by {@link #open(String)} or {@code -Dloopwire.loop}. The
 * names and aliases loopwire's own kinds define ({@code selector}, {@code completion},
 * {@code io_uring}, {@code iocp}) are owned like transport keys: a foreign provider that claims
 * one is refused unless allowed. A refused kind stays in {@link #providers()}, unavailable, its
 * {@link #availability} reason saying why and how to allow it, and is logged once at
 * {@code WARNING}; so is, once, a foreign kind that {@link #open()} passes over. See
 * {@code docs/security.md}, "Loop providers".
 *
 * <p><b>Logging.</b> Through {@link System.Logger}, logger {@code dev.loopwire.loop.EventLoops}:
 * at {@code DEBUG} every loop opened and why that kind; at {@code INFO}, once per kind and JVM,
 * why a kind that {@link #open()} would have preferred is unavailable (io_uring blocked by
 * seccomp, JNA missing, ...); at {@code WARNING} a provider that failed to load, a provider
 * refused by the trust rule, a foreign kind {@link #open()} does not choose, and kinds that
 * answer to the same name.
 *
 * <p><b>Concurrency.</b> All methods are thread-safe. Discovery runs once, lazily.
 */
public final class EventLoops {

    /** The system property that names the kind of loop {@link #open()} and the default loop use. */
    public static final String LOOP_PROPERTY = "loopwire.loop";

    private static final System.Logger LOG = System.getLogger(EventLoops.class.getName());
    private static final Object LOCK = new Object();
    /** The kinds whose unavailability has been logged at INFO: once per kind and JVM is enough. */
    private static final Set<String> REPORTED_UNAVAILABLE = ConcurrentHashMap.newKeySet();
    /** The providers whose refusal or exclusion from open() has been logged: once per class and JVM. */
    private static final Set<String> REPORTED_UNTRUSTED = ConcurrentHashMap.newKeySet();
    private static volatile Discovered discovered;
    private static EventLoop defaultLoop;

    private EventLoops() {
    }

    /**
     * Every kind of loop found, best first: available before unavailable, then by priority
     * (highest first), then by name.
     *
     * @return an unmodifiable list; never {@code null}
     */
    public static List<EventLoopProvider> providers() {
        return discover().providers;
    }

    /**
     * Providers that failed to load, each as the error {@link ServiceLoader} reported.
     *
     * @return an unmodifiable list, empty when every provider loaded; never {@code null}
     */
    public static List<ServiceConfigurationError> failures() {
        return discover().failures;
    }

    /**
     * The availability of a kind of loop; a probe that throws counts as unavailable, with the
     * exception as the reason. A provider refused by the trust rule (see the class comment) is
     * unavailable with the refusal as the reason, and its probe is not run.
     *
     * @param provider the kind of loop to ask
     * @return the provider's answer, or "unavailable" with the reason its probe failed or it was
     *     refused; never {@code null}
     * @throws NullPointerException if {@code provider} is {@code null}
     */
    public static Availability availability(EventLoopProvider provider) {
        Objects.requireNonNull(provider, "provider");
        String refusal = discover().verdicts.refused().get(provider);
        if (refusal != null) {
            return Availability.unavailable(refusal);
        }
        return probe(provider);
    }

    private static Availability probe(EventLoopProvider provider) {
        try {
            Availability availability = provider.availability();
            return availability != null ? availability
                    : Availability.unavailable(provider.getClass().getName() + ".availability() returned null");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability probe threw " + e);
        }
    }

    /**
     * Opens a new loop of the best available kind among loopwire's own and those the user
     * allowed, or of the kind named by the system property {@value #LOOP_PROPERTY}.
     *
     * @return the running loop; never {@code null}
     * @throws IllegalStateException if no kind of loop is available (the message lists why)
     */
    public static EventLoop open() {
        String wanted = System.getProperty(LOOP_PROPERTY, "").trim();
        if (!wanted.isEmpty()) {
            return openNamed(wanted, false);
        }
        return openBest(false);
    }

    /**
     * Opens a new loop of the named kind.
     *
     * @param name a kind's {@linkplain EventLoopProvider#name() name}, such as {@code selector},
     *     or one of its {@linkplain EventLoopProvider#aliases() aliases}, such as {@code io_uring}
     * @return the running loop; never {@code null}
     * @throws IllegalArgumentException if no kind has that name or alias
     * @throws IllegalStateException if that kind is unavailable here, or was refused by the trust
     *     rule (the message says why)
     */
    public static EventLoop open(String name) {
        Objects.requireNonNull(name, "name");
        return openNamed(name, false);
    }

    /**
     * The shared default loop, opened on first use (see {@link #open()}: loopwire's own kinds and
     * allowed ones only, unless {@value #LOOP_PROPERTY} names one) on a daemon thread. If it has
     * been closed, the next call opens a new one.
     *
     * @return the shared loop; never {@code null}
     */
    public static EventLoop defaultLoop() {
        synchronized (LOCK) {
            if (defaultLoop == null || defaultLoop.isClosed()) {
                String wanted = System.getProperty(LOOP_PROPERTY, "").trim();
                defaultLoop = wanted.isEmpty() ? openBest(true) : openNamed(wanted, true);
            }
            return defaultLoop;
        }
    }

    /**
     * The loop whose thread is calling.
     *
     * @return that loop, or empty when called from any other thread
     */
    public static Optional<EventLoop> current() {
        return CurrentLoop.get();
    }

    /**
     * The loop to use from here: {@link #current()} if the caller is on a loop thread, else
     * {@link #defaultLoop()}.
     *
     * @return a running loop; never {@code null}
     */
    public static EventLoop currentOrDefault() {
        return current().orElseGet(EventLoops::defaultLoop);
    }

    private static EventLoop openBest(boolean daemon) {
        Discovered d = discover();
        List<EventLoopProvider> all = d.providers;
        for (EventLoopProvider provider : all) {
            if (!d.verdicts.defaults().contains(provider)) {
                reportPassedOver(provider);
                continue;
            }
            if (availability(provider).isAvailable()) {
                reportBetterUnavailable(all, provider);
                EventLoop loop = provider.open(threads(daemon));
                LOG.log(System.Logger.Level.DEBUG, () -> "Opened event loop '" + loop.name() + "' of kind '"
                        + provider.name() + "', the best available (priority " + provider.priority()
                        + "); found: " + describe());
                return loop;
            }
        }
        throw new IllegalStateException("No event loop is available; found: " + describe()
                + "; put a loop module such as dev.loopwire.loop.selector on the module path");
    }

    /** Says once per kind that open() never chooses a foreign kind the user did not allow. */
    private static void reportPassedOver(EventLoopProvider provider) {
        if (discover().verdicts.refused().containsKey(provider)
                || !REPORTED_UNTRUSTED.add(provider.getClass().getName())) {
            return; // a refused kind was logged when it was refused
        }
        Class<?> type = provider.getClass();
        LOG.log(System.Logger.Level.WARNING, "Event loop kind '" + safeName(provider) + "' (" + type.getName()
                + " from " + CodeOwners.describe(type) + ") is not loopwire's and was not allowed, so "
                + "EventLoops.open() and the default loop pass it over; to use it, name it with -D" + LOOP_PROPERTY
                + "=" + safeName(provider) + " or EventLoops.open(name), or allow it with -D"
                + LoopTrust.ALLOW_PROPERTY + "=" + type.getName());
    }

    private static String safeName(EventLoopProvider provider) {
        try {
            return provider.name();
        } catch (RuntimeException | LinkageError e) {
            return "?";
        }
    }

    /** Says once per kind why a kind ranked above the chosen one could not be used. */
    private static void reportBetterUnavailable(List<EventLoopProvider> all, EventLoopProvider chosen) {
        Set<EventLoopProvider> defaults = discover().verdicts.defaults();
        for (EventLoopProvider better : all) {
            if (better.priority() <= chosen.priority() || !defaults.contains(better)) {
                continue; // a kind open() never chooses was reported as such
            }
            Availability availability = availability(better);
            if (!availability.isAvailable() && REPORTED_UNAVAILABLE.add(better.getClass().getName())) {
                LOG.log(System.Logger.Level.INFO, "Event loop '" + better.name() + "' (priority " + better.priority()
                        + ") is unavailable, so loopwire uses '" + chosen.name() + "' (priority "
                        + chosen.priority() + "): " + availability.reason());
            }
        }
    }

    private static EventLoop openNamed(String name, boolean daemon) {
        EventLoopProvider provider = byName(name);
        if (provider == null) {
            throw new IllegalArgumentException("No event loop named '" + name + "'; found: " + describe()
                    + "; check the name or put the loop's module on the module path");
        }
        String kind = provider.name().equals(name) ? "'" + name + "'" : "'" + name + "' ('" + provider.name() + "')";
        Availability availability = availability(provider);
        if (!availability.isAvailable()) {
            throw new IllegalStateException("Event loop " + kind + " is unavailable: " + availability.reason());
        }
        EventLoop loop = provider.open(threads(daemon));
        LOG.log(System.Logger.Level.DEBUG, () -> "Opened event loop '" + loop.name() + "' of kind " + kind
                + ", as named" + (System.getProperty(LOOP_PROPERTY, "").trim().equals(name)
                        ? " by -D" + LOOP_PROPERTY : ""));
        return loop;
    }

    /**
     * The kind with that name, else the first (best-ranked) kind with that alias, else null;
     * kinds not refused first (so loopwire's own kind wins its names), then a refused one, whose
     * availability says why it cannot open.
     */
    private static EventLoopProvider byName(String name) {
        Discovered d = discover();
        for (boolean refused : new boolean[] {false, true}) {
            for (EventLoopProvider provider : d.providers) {
                if (d.verdicts.refused().containsKey(provider) == refused && safeName(provider).equals(name)) {
                    return provider;
                }
            }
            for (EventLoopProvider provider : d.providers) {
                if (d.verdicts.refused().containsKey(provider) == refused && aliases(provider).contains(name)) {
                    return provider;
                }
            }
        }
        return null;
    }

    /** A provider's aliases; one whose aliases() misbehaves simply has none. */
    private static Set<String> aliases(EventLoopProvider provider) {
        try {
            Set<String> aliases = provider.aliases();
            return aliases != null ? aliases : Set.of();
        } catch (RuntimeException | LinkageError e) {
            return Set.of();
        }
    }

    private static String describe() {
        Discovered d = discover();
        List<EventLoopProvider> all = d.providers;
        if (all.isEmpty()) {
            return "none";
        }
        return all.stream().map(p -> {
            Set<String> aliases = aliases(p);
            String also = aliases.isEmpty() ? "" : "; also named " + aliases.stream().sorted()
                    .collect(Collectors.joining(", "));
            String trust = d.verdicts.defaults().contains(p) || d.verdicts.refused().containsKey(p) ? ""
                    : "; not chosen by open(), not loopwire's: name it, or allow it with -D"
                    + LoopTrust.ALLOW_PROPERTY + "=" + p.getClass().getName();
            return p.name() + " (" + availability(p) + also + trust + ")";
        }).collect(Collectors.joining(", "));
    }

    private static ThreadFactory threads(boolean daemon) {
        return task -> {
            Thread thread = new Thread(task);
            thread.setDaemon(daemon);
            return thread;
        };
    }

    private static Discovered discover() {
        Discovered d = discovered;
        if (d == null || d.pluginVersion != Plugins.version()) {
            synchronized (LOCK) {
                d = discovered;
                if (d == null || d.pluginVersion != Plugins.version()) {
                    d = load();
                    discovered = d;
                }
            }
        }
        return d;
    }

    private static Discovered load() {
        List<EventLoopProvider> found = new ArrayList<>();
        List<ServiceConfigurationError> failures = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>();
        List<ModuleLayer> layers = Plugins.layers();
        int version = Plugins.version();
        List<ServiceLoader<EventLoopProvider>> loaders = new ArrayList<>();
        loaders.add(ServiceLoader.load(EventLoopProvider.class));
        layers.forEach(layer -> loaders.add(ServiceLoader.load(layer, EventLoopProvider.class)));
        for (ServiceLoader<EventLoopProvider> loader : loaders) {
            var iterator = loader.iterator();
            for (int failed = 0; failed < 1_000; ) {
                try {
                    if (!iterator.hasNext()) {
                        break;
                    }
                    EventLoopProvider provider = iterator.next();
                    if (seen.add(provider.getClass())) {
                        found.add(provider);
                    }
                } catch (ServiceConfigurationError e) {
                    LOG.log(System.Logger.Level.WARNING, "Skipping an event loop provider that failed to load", e);
                    failures.add(e);
                    failed++;
                }
            }
        }
        LoopTrust.Verdicts verdicts = LoopTrust.judge(found, LoopTrust.allowed());
        verdicts.refused().forEach((provider, reason) -> {
            if (REPORTED_UNTRUSTED.add(provider.getClass().getName())) {
                LOG.log(System.Logger.Level.WARNING, "Event loop provider " + reason);
            }
        });
        found.sort(Comparator
                .comparing((EventLoopProvider p) -> verdicts.refused().containsKey(p) || !probe(p).isAvailable())
                .thenComparing(EventLoopProvider::priority, Comparator.reverseOrder())
                .thenComparing(EventLoops::safeName));
        List<EventLoopProvider> usable = new ArrayList<>(found);
        usable.removeIf(verdicts.refused()::containsKey);
        for (String shared : LoopTrust.sharedNames(usable)) {
            if (REPORTED_UNTRUSTED.add(shared)) {
                LOG.log(System.Logger.Level.WARNING, shared);
            }
        }
        return new Discovered(List.copyOf(found), List.copyOf(failures), version, verdicts);
    }

    private record Discovered(List<EventLoopProvider> providers, List<ServiceConfigurationError> failures,
            int pluginVersion, LoopTrust.Verdicts verdicts) {
    }
}
