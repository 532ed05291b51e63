package dev.loopwire.loop.iocp;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.iocp.internal.Backends;

/**
 * Whether Windows I/O completion ports can be used here.
 *
 * <p>IOCP needs Windows, and this release does not yet contain the IOCP backend, so on Windows
 * too it reports unavailable with that plain reason until the backend is wired into
 * {@link CompletionLoop}.
 *
 * <p>Thread-safe.
 */
public final class Iocp {

    private static final Availability AVAILABILITY = Backends.iocp();

    private Iocp() {
    }

    /** Whether a {@link CompletionLoop} can run on IOCP here. */
    public static boolean isAvailable() {
        return AVAILABILITY.isAvailable();
    }

    /** Why IOCP cannot be used here, as an exception, or {@code null} if it can. */
    public static Throwable unavailabilityCause() {
        return isAvailable() ? null : new UnsupportedOperationException(AVAILABILITY.reason());
    }

    /** The answer as an {@link Availability}. */
    public static Availability availability() {
        return AVAILABILITY;
    }
}
