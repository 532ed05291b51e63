package dev.loopwire.loop;

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
 * <p><b>Concurrency.</b> All methods are thread-safe. Discovery runs once, lazily.
 */
public final class EventLoops {

    /** The system property that names the kind of loop {@link #open()} and the default loop use. */
    public static final String LOOP_PROPERTY = "loopwire.loop";

    private static final System.Logger LOG = System.getLogger(EventLoops.class.getName());
    private static final Object LOCK = new Object();
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

    /** Providers that failed to load, each as the error {@link ServiceLoader} reported. */
    public static List<ServiceConfigurationError> failures() {
        return discover().failures;
    }

    /**
     * The availability of a kind of loop; a probe that throws counts as unavailable, with the
     * exception as the reason.
     */
    public static Availability availability(EventLoopProvider provider) {
        Objects.requireNonNull(provider, "provider");
        try {
            Availability availability = provider.availability();
            return availability != null ? availability
                    : Availability.unavailable(provider.getClass().getName() + ".availability() returned null");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability probe threw " + e);
        }
    }

    /**
     * Opens a new loop of the best available kind, or of the kind named by the system property
     * {@value #LOOP_PROPERTY}.
     *
     * @throws IllegalStateException if no kind of loop is available (the message lists why)
     */
    public static EventLoop open() {
        String wanted = System.getProperty(LOOP_PROPERTY, "").trim();
        if (!wanted.isEmpty()) {
            return open(wanted);
        }
        for (EventLoopProvider provider : providers()) {
            if (availability(provider).isAvailable()) {
                return provider.open(threads(false));
            }
        }
        throw new IllegalStateException("No event loop is available; found: " + describe()
                + "; put a loop module such as dev.loopwire.loop.selector on the module path");
    }

    /**
     * Opens a new loop of the named kind.
     *
     * @param name a kind's {@linkplain EventLoopProvider#name() name}, such as {@code selector}
     * @throws IllegalArgumentException if no kind has that name
     * @throws IllegalStateException if that kind is unavailable here (the message says why)
     */
    public static EventLoop open(String name) {
        Objects.requireNonNull(name, "name");
        return openNamed(name, false);
    }

    /**
     * The shared default loop, opened on first use (see {@link #open()}) on a daemon thread. If
     * it has been closed, the next call opens a new one.
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

    /** The loop whose thread is calling, or empty when called from any other thread. */
    public static Optional<EventLoop> current() {
        return CurrentLoop.get();
    }

    /** {@link #current()} if the caller is on a loop thread, else {@link #defaultLoop()}. */
    public static EventLoop currentOrDefault() {
        return current().orElseGet(EventLoops::defaultLoop);
    }

    private static EventLoop openBest(boolean daemon) {
        for (EventLoopProvider provider : providers()) {
            if (availability(provider).isAvailable()) {
                return provider.open(threads(daemon));
            }
        }
        throw new IllegalStateException("No event loop is available; found: " + describe()
                + "; put a loop module such as dev.loopwire.loop.selector on the module path");
    }

    private static EventLoop openNamed(String name, boolean daemon) {
        for (EventLoopProvider provider : providers()) {
            if (provider.name().equals(name)) {
                Availability availability = availability(provider);
                if (!availability.isAvailable()) {
                    throw new IllegalStateException("Event loop '" + name + "' is unavailable: "
                            + availability.reason());
                }
                return provider.open(threads(daemon));
            }
        }
        throw new IllegalArgumentException("No event loop named '" + name + "'; found: " + describe()
                + "; check the name or put the loop's module on the module path");
    }

    private static String describe() {
        List<EventLoopProvider> all = providers();
        if (all.isEmpty()) {
            return "none";
        }
        return all.stream().map(p -> p.name() + " (" + availability(p) + ")")
                .collect(Collectors.joining(", "));
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
        found.sort(Comparator
                .comparing((EventLoopProvider p) -> !availability(p).isAvailable())
                .thenComparing(EventLoopProvider::priority, Comparator.reverseOrder())
                .thenComparing(EventLoopProvider::name));
        return new Discovered(List.copyOf(found), List.copyOf(failures), version);
    }

    private record Discovered(List<EventLoopProvider> providers, List<ServiceConfigurationError> failures,
            int pluginVersion) {
    }
}
