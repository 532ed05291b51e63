// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.spi;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * A kind of event loop that {@link dev.loopwire.loop.EventLoops} can open, found with
 * {@link java.util.ServiceLoader}.
 *
 * <p>Declare an implementation twice: {@code provides dev.loopwire.loop.spi.EventLoopProvider
 * with ...} in {@code module-info.java} (module path) and a {@code META-INF/services} entry, for
 * example through {@code @AutoService} (class path).
 *
 * <p><b>Trust.</b> A loop sees every socket opened on it, so
 * {@link dev.loopwire.loop.EventLoops#open()} and the default loop choose only among loopwire's
 * own kinds and the kinds whose class the user allowed with {@code -Dloopwire.allow=<class>};
 * any other kind opens only when the user names it ({@code EventLoops.open(name)},
 * {@code -Dloopwire.loop}). The names and aliases loopwire's own kinds define
 * ({@code selector}, {@code completion}, {@code io_uring}, {@code iocp}) are theirs: a provider
 * from another module or jar that uses one is refused (listed, unavailable with the reason,
 * logged at {@code WARNING}) unless allowed. Give your kind a name of its own.
 *
 * <p><b>Lifecycle.</b> The constructor must do no work: discovery instantiates every provider.
 * {@link #availability()} runs the probe (it may be expensive once and should cache), and
 * {@link #open} starts a loop.
 *
 * <p><b>Concurrency.</b> Implementations must be safe to call from any thread.
 */
public interface EventLoopProvider {

    /**
     * The short name of this kind of loop, such as {@code selector}; never {@code null}. The
     * names of loopwire's own kinds are reserved to them (see the class comment).
     *
     * @return the name, as {@link dev.loopwire.loop.EventLoops#open(String)} accepts it
     */
    String name();

    /**
     * Other names that {@link dev.loopwire.loop.EventLoops#open(String)} (and the system property
     * {@code loopwire.loop}) accept for this kind of loop, such as the name of the native
     * mechanism it runs on here: the completion loop answers to {@code io_uring} on Linux. A
     * kind's {@link #name()} always wins over another kind's alias.
     *
     * @return the aliases, possibly empty; never {@code null}
     * @implSpec The default is an empty set.
     */
    default Set<String> aliases() {
        return Set.of();
    }

    /**
     * Whether this kind of loop can run on this machine, and if not, why: the result of a real
     * probe, cached.
     *
     * @return {@link Availability#available()}, or an unavailable value whose reason says what is
     *     missing; never null
     */
    Availability availability();

    /**
     * The rank of this kind of loop when {@link dev.loopwire.loop.EventLoops#open()} picks one:
     * the highest available wins, among loopwire's own kinds and the kinds the user allowed
     * (a foreign kind's priority alone never makes it the default).
     *
     * @return the rank; higher wins
     * @implSpec The default is 0.
     */
    default int priority() {
        return 0;
    }

    /**
     * The capabilities every loop of this kind offers, for inspection without opening one.
     *
     * @return the capability interfaces; never null
     */
    Set<Class<? extends Capability>> capabilities();

    /**
     * Opens and starts a loop.
     *
     * @param threads makes the loop's thread; the loop names it after itself
     * @return the running loop; never {@code null}
     * @throws IllegalStateException if this kind of loop is unavailable
     */
    EventLoop open(ThreadFactory threads);
}
