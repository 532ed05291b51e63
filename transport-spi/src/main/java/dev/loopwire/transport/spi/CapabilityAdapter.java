// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.spi;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a capability a loop lacks out of capabilities it has, such as {@code FdReadiness} on a
 * completion loop by running a {@link java.nio.channels.Selector} on a helper thread and
 * handing readiness events to the loop. The registry uses adapters when no provider fits a loop
 * directly; {@code Transports.explain} shows when one was used.
 *
 * <p>Found with {@link java.util.ServiceLoader}; declare it with {@code provides} and
 * {@code @AutoService} like a {@link TransportProvider}. The constructor must do no work.
 *
 * <p><b>Trust.</b> An adapter receives everything a transport registers through the capability
 * it builds, so it is trusted like a provider: only if its module owns the capability type (on
 * the class path: the same jar or folder as that type), if the loop it adapts is defined in the
 * adapter's own module (or jar), or if the user allowed it ({@code -Dloopwire.allow=<class>} or
 * {@code Transports.allow(String)}). loopwire's own adapters, in the registry's module, are
 * trusted for loop-api's capabilities ({@code FdReadiness}, {@code UringPort}, {@code IocpPort},
 * {@code Timers} and the others); no other module can claim that. An untrusted adapter is never
 * called beyond
 * {@link #offers()} and {@link #requires()}; {@code Transports.explain} lists it with the reason.
 *
 * <p><b>Lifecycle.</b> {@link #adapt} is called at most once per loop; the facet it returns must
 * release whatever it holds when the loop closes.
 *
 * <p><b>For provider authors.</b> A provider chosen through an adapter is created with a view of
 * the loop that adds the adapted capability. Where the loop's identity shows (an endpoint's
 * {@code loop()}, equality, logs), use {@link #baseLoop(EventLoop)}.
 *
 * @param <C> the capability this adapter offers
 */
public interface CapabilityAdapter<C extends Capability> {

    /**
     * The capability interface this adapter offers; never {@code null}.
     *
     * @return the capability interface, such as {@code FdReadiness.class}
     */
    Class<C> offers();

    /**
     * The capabilities the loop must have for this adapter to work; never {@code null}.
     *
     * @return the capability interfaces, possibly empty
     */
    Set<Class<? extends Capability>> requires();

    /**
     * Whether this adapter can run here at all.
     *
     * @return {@link Availability#available()}, or an unavailable value whose reason says what is
     *     missing; never null
     * @implSpec The default is {@link Availability#available()}.
     */
    default Availability availability() {
        return Availability.available();
    }

    /**
     * Builds the capability for a loop that offers everything in {@link #requires()}.
     *
     * @param loop the loop to adapt (the user's loop, not a view); offers everything in
     *     {@link #requires()}
     * @return the facet; never {@code null}
     */
    C adapt(EventLoop loop);

    /**
     * The loop behind a view made for a provider chosen through an adapter, or {@code loop}
     * itself when it is not such a view.
     *
     * <p><b>Why a provider needs it.</b> When a provider fits a loop only through an adapter,
     * its {@link TransportProvider#create} receives not the user's loop but a view of it that
     * also offers the adapted capability. The view runs tasks, timers and close hooks on the
     * real loop and has its name, but it is another object: an endpoint whose {@code loop()}
     * returned the view would not be {@code ==} (nor {@code equals}) to the loop the user
     * passed, and a check such as "is this my loop?" would fail. So a provider keeps
     * {@code loop} for looking up capabilities, and {@code baseLoop(loop)} for everything the
     * user sees:
     *
     * <pre>{@code
     * public MyTransport create(EventLoop loop) {
     *     FdReadiness readiness = loop.capability(FdReadiness.class).orElseThrow(); // the view:
     * adapted capability
     *     return new MyTransportImpl(CapabilityAdapter.baseLoop(loop), readiness);  // the user's
     * loop
     * }
     * }</pre>
     *
     * <p>Safe from any thread; it only unwraps.
     *
     * @param loop the loop a provider was created with, view or not; never {@code null}
     * @return the user's loop; {@code loop} itself if it is not a view; never {@code null}
     * @throws NullPointerException if {@code loop} is {@code null}
     */
    static EventLoop baseLoop(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        return loop instanceof dev.loopwire.transport.internal.AdaptedLoop view ? view.loop() : loop;
    }
}
