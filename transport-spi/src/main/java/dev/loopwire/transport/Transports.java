// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.Plugins;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.internal.Discovery;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The transport registry: resolves the implementation of a transport for an event loop — the
 * double dispatch — and lets code register, prefer, deny and allow implementations.
 *
 * <p><b>Resolution order</b> for {@link #resolve resolve(loop, key)}:
 * <ol>
 * <li>the provider named by the system property {@code loopwire.provider.<key name>}, if set:
 *     the deployer's last word, as {@code java.nio.channels.spi.SelectorProvider}'s property is;
 *     if it does not fit, resolution fails and says why rather than quietly using another;</li>
 * <li>the loop's own implementation ({@link EventLoop#implementation}), then implementations
 *     registered on that loop instance (newest first);</li>
 * <li>implementations registered for the loop's class or a supertype (most specific first), then
 *     providers native to the loop's type ({@link TransportProvider#loopType()});</li>
 * <li>{@link ServiceLoader} providers whose {@linkplain TransportProvider#requires() required
 *     capabilities} the loop offers, ranked: the {@linkplain #prefer preferred} one, then
 *     priority (highest first), then more required capabilities, then class name — never class
 *     path order;</li>
 * <li>providers that fit only through a {@link CapabilityAdapter};</li>
 * <li>otherwise {@link UnsupportedTransportException}, naming the key, the loop, its
 *     capabilities, and every candidate with why it was passed over.</li>
 * </ol>
 * If a candidate's {@code create} throws, the next one is tried; the failure is attached to
 * the exception if none fits. Providers disabled by {@code -Dloopwire.disable=<class,...>} or
 * {@link #deny} are never used. A provider for a key owned by another module (on the class path:
 * another jar or folder than the key's type) is used only if it is native to a loop type of its
 * own module, or allowed by {@code -Dloopwire.allow=<class,...>} or {@link #allow}. Capability
 * adapters follow the same rule for the capability they offer (see {@link CapabilityAdapter}).
 *
 * <p><b>Caching.</b> The result is cached per (loop, key): a cached resolution is two hash
 * lookups and allocates nothing. Any registration, preference, denial, allowance or
 * {@link #reload()} drops the cache. System properties are read when a resolution is not
 * cached; after changing one at run time, call {@link #reload()}.
 *
 * <p><b>Concurrency.</b> All methods are thread-safe.
 */
public final class Transports {

    private static final List<ModuleLayer> LAYERS = new CopyOnWriteArrayList<>();
    private static final Registry REGISTRY = new Registry(
            () -> Discovery.load(loaders(TransportProvider.class)),
            () -> Discovery.load(loaders(CapabilityAdapter.class)),
            System::getProperty,
            Plugins::version,
            EventLoops::providers);

    private Transports() {
    }

    /**
     * Resolves the implementation of {@code key} for {@code loop}.
     *
     * @param <T> the implementation type the key declares
     * @param loop the loop the transport will run on
     * @param key the transport's key, such as {@code Udp.BIND}
     * @return the implementation; never {@code null}
     * @throws UnsupportedTransportException if nothing fits the loop
     * @throws NullPointerException if an argument is {@code null}
     */
    public static <T> T resolve(EventLoop loop, TransportKey<T> key) {
        return REGISTRY.resolve(loop, key);
    }

    /**
     * The report of how {@code key} resolves for {@code loop}: every candidate, where it came
     * from, and whether it was chosen or passed over and why. It creates nothing: before the
     * first resolution it shows the candidate that would be tried first as chosen.
     *
     * @param loop the loop to explain for
     * @param key the transport's key
     * @return the report, as of now; never null
     */
    public static Explanation explain(EventLoop loop, TransportKey<?> key) {
        return REGISTRY.explain(loop, key);
    }

    /**
     * Registers an implementation on one loop instance: the proposal's
     * {@code register_implementation}, for a single loop. It wins over every provider.
     *
     * @param <T> the implementation type the key declares
     * @param loop the one loop the implementation is for
     * @param key the transport's key
     * @param impl the implementation, used as is for every resolution on {@code loop}
     * @return the registration; closing it removes the implementation
     * @throws IllegalArgumentException if {@code impl} is not a {@code key.type()}
     */
    public static <T> Registration register(EventLoop loop, TransportKey<T> key, T impl) {
        return REGISTRY.register(loop, key, impl);
    }

    /**
     * Registers a factory for every loop of a class (and its subclasses): the proposal's
     * {@code LibUVEventLoop.register_implementation(...)}. It wins over every provider.
     *
     * @param <L> the loop class
     * @param <T> the implementation type the key declares
     * @param loopType the loop class; its subclasses are covered too, the most specific
     *     registration first
     * @param key the transport's key
     * @param factory makes the implementation for one loop of that class, once per loop
     * @return the registration; closing it removes the factory
     */
    public static <L extends EventLoop, T> Registration register(Class<L> loopType, TransportKey<T> key,
            Function<? super L, ? extends T> factory) {
        return REGISTRY.register(loopType, key, factory);
    }

    /**
     * Ranks the provider class first among the providers of {@code key} that fit a loop in the
     * same way (native to the loop's type, by capabilities, or through an adapter): it never
     * lifts a provider above an earlier step of the resolution order. To insist on one
     * provider, use {@code -Dloopwire.provider.<key name>}.
     *
     * @param key the transport's key
     * @param providerClass the fully qualified name of the provider class
     */
    public static void prefer(TransportKey<?> key, String providerClass) {
        REGISTRY.prefer(key, providerClass);
    }

    /**
     * Never uses the provider class (the programmatic form of {@code -Dloopwire.disable}).
     *
     * @param providerClass the fully qualified name of the provider class
     */
    public static void deny(String providerClass) {
        REGISTRY.deny(providerClass);
    }

    /**
     * Lets the provider class implement a key its module does not own, or the adapter class
     * offer a capability its module does not own (the programmatic form of
     * {@code -Dloopwire.allow}).
     *
     * @param providerClass the fully qualified name of the provider or adapter class
     */
    public static void allow(String providerClass) {
        REGISTRY.allow(providerClass);
    }

    /** Forgets every {@link #prefer}, {@link #deny} and {@link #allow}. */
    public static void clearOverrides() {
        REGISTRY.clearOverrides();
    }

    /**
     * Adds the providers of a module layer the application built itself, and discovers again.
     * Plugin folders need no call: see {@link Plugins}.
     *
     * @param layer the layer whose providers and adapters to add; never {@code null}
     */
    public static void addLayer(ModuleLayer layer) {
        Objects.requireNonNull(layer, "layer");
        if (!LAYERS.contains(layer)) {
            LAYERS.add(layer);
        }
        REGISTRY.reload();
    }

    /** Discovers providers again and drops every cached resolution. */
    public static void reload() {
        REGISTRY.reload();
    }

    /**
     * Every transport provider found, including those that failed to load, for inspection.
     *
     * @return one entry per provider, never null
     */
    public static List<ProviderInfo> providers() {
        return REGISTRY.providers();
    }

    /**
     * Every capability adapter found, for inspection.
     *
     * @return one entry per adapter, never null
     */
    public static List<ProviderInfo> adapters() {
        return REGISTRY.adapters();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <S> List<ServiceLoader<S>> loaders(Class<?> service) {
        List<ServiceLoader<S>> loaders = new ArrayList<>();
        loaders.add((ServiceLoader) ServiceLoader.load(service));
        List<ModuleLayer> layers = new ArrayList<>(Plugins.layers());
        layers.addAll(LAYERS);
        for (ModuleLayer layer : layers) {
            loaders.add((ServiceLoader) ServiceLoader.load(layer, service));
        }
        return loaders;
    }
}
