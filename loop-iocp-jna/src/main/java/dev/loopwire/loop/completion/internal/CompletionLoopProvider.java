// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * The {@link EventLoopProvider} for {@link CompletionLoop}, named {@code completion}, with
 * priority 10 on Linux so that {@link dev.loopwire.loop.EventLoops#open()} prefers it to the
 * selector loop (priority 0) wherever io_uring is available. On Windows its priority is -10:
 * loopwire's UDP and TCP have no IOCP provider yet, so the default loop there stays the selector
 * loop, and the IOCP loop is opened only when asked for ({@code EventLoops.open("iocp")}), by
 * code that uses {@link dev.loopwire.loop.IocpPort} itself.
 *
 * <p>Its {@linkplain #aliases() aliases} are the name of the backend this platform uses,
 * {@code io_uring} on Linux and {@code iocp} on Windows, so that
 * {@code EventLoops.open("io_uring")} (or {@code -Dloopwire.loop=io_uring}) opens this loop where
 * io_uring runs it, and fails with the reason where it does not; the loops it opens are named
 * {@code completion-N}, with the backend in their {@code toString()} ({@code completion-1[io_uring ...]}).
 *
 * <p>The constructor does nothing; {@link #availability()} runs the platform probe once.
 *
 * <p>Thread-safe.
 */
@AutoService(EventLoopProvider.class)
public final class CompletionLoopProvider implements EventLoopProvider {

    /** The provider's name, for {@code EventLoops.open("completion")}. */
    public static final String NAME = "completion";

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The name of this platform's backend, {@code io_uring} (Linux) or {@code iocp} (Windows),
     * whether it is available here or not; none on other systems.
     */
    @Override
    public Set<String> aliases() {
        return Backends.platformBackend().map(Set::of).orElse(Set.of());
    }

    @Override
    public Availability availability() {
        return Backends.availability();
    }

    @Override
    public int priority() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows") ? -10 : 10;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        // The loop also offers the raw capability of its platform's mechanism.
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        return os.startsWith("linux") ? Set.of(Timers.class, UringPort.class)
                : os.startsWith("windows") ? Set.of(Timers.class, IocpPort.class)
                : Set.of(Timers.class);
    }

    @Override
    public EventLoop open(ThreadFactory threads) {
        Availability availability = availability();
        if (!availability.isAvailable()) {
            throw new IllegalStateException("Event loop '" + NAME + "' is unavailable: " + availability.reason());
        }
        return CompletionLoop.open(threads);
    }
}
