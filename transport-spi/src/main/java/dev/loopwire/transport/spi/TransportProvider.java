// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.spi;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import java.util.Optional;
import java.util.Set;

/**
 * A module's implementation of a transport for every loop that offers the capabilities it
 * requires: the fallback step of the double dispatch, found with {@link java.util.ServiceLoader}.
 *
 * <p>Declare an implementation twice: {@code provides dev.loopwire.transport.spi.TransportProvider
 * with ...} in {@code module-info.java} (module path) and a {@code META-INF/services} entry, for
 * example through {@code @AutoService(TransportProvider.class)} (class path).
 *
 * <p><b>Lifecycle.</b> The registry instantiates every provider it finds, so the public no-arg
 * constructor must do no work. {@link #key()}, {@link #requires()}, {@link #priority()},
 * {@link #loopType()} must be cheap and constant. {@link #availability()} may probe once and
 * cache. {@link #create} is called at most once per loop and key while the resolution stays
 * cached.
 *
 * <p><b>Trust.</b> A provider is honoured for a key only if it lives in the module that owns the
 * key (the module of the {@linkplain TransportKey#type() key's type}; on the class path, the
 * same jar or folder as that type, whatever the packages), if it is native to a loop type its
 * own module (or jar) defines, or if the user allowed it ({@code -Dloopwire.allow=<class>} or
 * {@code Transports.allow(String)}). A stray jar cannot take over another module's transport,
 * not even by declaring its class in that module's package.
 *
 * <p><b>Concurrency.</b> Implementations must be safe to call from any thread.
 *
 * @param <T> the type of the implementation, the {@linkplain TransportKey#type() key's type}
 */
public interface TransportProvider<T> {

    /**
     * The transport this provider implements; never {@code null}.
     *
     * @return the key, such as {@code Udp.BIND}
     */
    TransportKey<T> key();

    /**
     * The capability interfaces the loop must offer; never {@code null}. A provider is never
     * chosen for a loop that lacks one of them (unless a
     * {@linkplain CapabilityAdapter capability adapter} supplies it).
     *
     * @return the capability interfaces, possibly empty
     */
    Set<Class<? extends Capability>> requires();

    /**
     * The rank among providers that fit the same loop: the highest wins; ties go to the
     * provider that requires more capabilities, then to the class name in alphabetical order.
     *
     * @return the rank; higher wins
     * @implSpec The default is 0.
     */
    default int priority() {
        return 0;
    }

    /**
     * The loop type this provider is native to, if any: such a provider is tried before the
     * capability-based ones, for loops of that type (and subtypes) only.
     *
     * @return the loop class, or empty; never null
     * @implSpec The default is empty: the provider fits any loop with the required capabilities.
     */
    default Optional<Class<? extends EventLoop>> loopType() {
        return Optional.empty();
    }

    /**
     * Whether this provider can run on this machine at all, and if not, why.
     *
     * @return {@link Availability#available()}, or an unavailable value whose reason says what is
     *     missing; never null
     * @implSpec The default is {@link Availability#available()}.
     */
    default Availability availability() {
        return Availability.available();
    }

    /**
     * Creates the implementation for a loop that offers every capability in {@link #requires()}.
     *
     * @param loop the loop; its {@link EventLoop#capability} answers for each required capability
     * @return the implementation; never {@code null}
     */
    T create(EventLoop loop);
}
