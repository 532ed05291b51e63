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
 * trusted for loop-api's standard capabilities ({@code FdReadiness}, {@code UringPort},
 * {@code IocpPort}, {@code Timers}); no other module can claim that. An untrusted adapter is never called beyond
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

    /** The capability interface this adapter offers; never {@code null}. */
    Class<C> offers();

    /** The capabilities the loop must have for this adapter to work; never {@code null}. */
    Set<Class<? extends Capability>> requires();

    /**
     * Whether this adapter can run here at all.
     *
     * @implSpec The default is {@link Availability#available()}.
     */
    default Availability availability() {
        return Availability.available();
    }

    /**
     * Builds the capability for a loop that offers everything in {@link #requires()}.
     *
     * @return the facet; never {@code null}
     */
    C adapt(EventLoop loop);

    /**
     * The loop behind a view made for a provider chosen through an adapter, or {@code loop}
     * itself when it is not such a view.
     */
    static EventLoop baseLoop(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        return loop instanceof dev.loopwire.transport.internal.AdaptedLoop view ? view.loop() : loop;
    }
}
