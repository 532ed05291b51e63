package dev.loopwire.loop.iocp;

import dev.loopwire.loop.Availability;
import java.util.Locale;

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

    private static final Availability AVAILABILITY = probe();

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

    private static Availability probe() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("windows")) {
            return Availability.unavailable("IOCP needs Windows; os.name is '" + os + "'");
        }
        return Availability.unavailable("IOCP backend not built yet");
    }
}
