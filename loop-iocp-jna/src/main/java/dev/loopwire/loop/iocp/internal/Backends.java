package dev.loopwire.loop.iocp.internal;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.iocp.internal.uring.UringBackend;
import dev.loopwire.loop.iocp.internal.uring.UringProbe;
import java.io.IOException;
import java.util.Locale;

/**
 * Picks the {@link CompletionBackend} for this operating system: io_uring on Linux; on Windows
 * the IOCP backend, once it exists (wire it in {@link #open()} and {@link #availability()}).
 *
 * <p>Thread-safe; the availability probe runs once.
 */
public final class Backends {

    private Backends() {
    }

    /** Whether a backend can run here, and if not, why; cached. */
    public static Availability availability() {
        return Holder.AVAILABILITY;
    }

    /** io_uring's availability alone; cached. */
    public static Availability ioUring() {
        return Holder.IO_URING;
    }

    /** IOCP's availability alone. */
    public static Availability iocp() {
        String os = System.getProperty("os.name", "");
        if (!isWindows(os)) {
            return Availability.unavailable("IOCP needs Windows; os.name is '" + os + "'");
        }
        return Availability.unavailable("IOCP backend not built yet");
    }

    /**
     * Sets up this platform's backend.
     *
     * @throws IllegalStateException if none is available (the message says why)
     * @throws IOException if the system refuses to set one up
     */
    public static CompletionBackend open() throws IOException {
        Availability availability = availability();
        if (!availability.isAvailable()) {
            throw new IllegalStateException("No completion queue is available: " + availability.reason());
        }
        return new UringBackend();
    }

    private static boolean isWindows(String os) {
        return os.toLowerCase(Locale.ROOT).startsWith("windows");
    }

    private static final class Holder {
        static final Availability IO_URING = probeIoUring();
        static final Availability AVAILABILITY = pick();

        private static Availability probeIoUring() {
            String reason = UringProbe.unavailableReason();
            return reason == null ? Availability.available() : Availability.unavailable(reason);
        }

        private static Availability pick() {
            String os = System.getProperty("os.name", "");
            if (os.toLowerCase(Locale.ROOT).startsWith("linux")) {
                return IO_URING;
            }
            if (isWindows(os)) {
                return iocp();
            }
            return Availability.unavailable("A completion loop needs Linux (io_uring) or Windows (IOCP); os.name is '"
                    + os + "'");
        }
    }
}
