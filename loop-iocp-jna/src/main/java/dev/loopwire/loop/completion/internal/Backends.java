// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.completion.internal.uring.UringBackend;
import dev.loopwire.loop.completion.internal.uring.UringProbe;
import dev.loopwire.loop.completion.internal.windows.IocpBackend;
import dev.loopwire.loop.completion.internal.windows.IocpProbe;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Picks the {@link CompletionBackend} for this operating system: io_uring on Linux, IOCP on
 * Windows (compiled and simulated on the project's Linux machines, never run there).
 *
 * <p>No probe ever throws: when JNA itself is missing or cannot load (a class-path application
 * without the JNA jar, a JNA without a native library for this platform), the answer is
 * "unavailable" with a reason that names the missing artifact, instead of the JVM's
 * {@code NoClassDefFoundError} about a class that failed to initialize.
 *
 * <p>Thread-safe; each probe runs once.
 */
public final class Backends {

    /** The io_uring backend's name: an alias of the kind, shown in the loops' {@code toString()}. */
    public static final String IO_URING = "io_uring";
    /** The IOCP backend's name, likewise. */
    public static final String IOCP = "iocp";

    /** The artifact that brings module {@code com.sun.jna}, as a user adds it to a build. */
    static final String JNA_ARTIFACT = "net.java.dev.jna:jna-jpms";

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

    /** IOCP's availability alone; cached. */
    public static Availability iocp() {
        return IocpHolder.IOCP;
    }

    /**
     * The name of the backend this operating system would use ({@value #IO_URING} on Linux,
     * {@value #IOCP} on Windows), available or not; empty on any other system.
     */
    public static Optional<String> platformBackend() {
        String os = System.getProperty("os.name", "");
        if (isLinux(os)) {
            return Optional.of(IO_URING);
        }
        return isWindows(os) ? Optional.of(IOCP) : Optional.empty();
    }

    /**
     * Sets up this platform's backend.
     *
     * @return a new backend; never {@code null}
     * @throws IllegalStateException if none is available (the message says why)
     * @throws IOException if the system refuses to set one up
     */
    public static CompletionBackend open() throws IOException {
        Availability availability = availability();
        if (!availability.isAvailable()) {
            throw new IllegalStateException("No completion queue is available: " + availability.reason());
        }
        return isWindows(System.getProperty("os.name", "")) ? new IocpBackend() : new UringBackend();
    }

    /**
     * Runs a probe that needs JNA; JNA's absence or failure to load becomes "unavailable" with
     * the remedy. Package-private for the tests.
     */
    static Availability probeWithJna(Supplier<Availability> probe) {
        String missing = jnaMissing();
        if (missing != null) {
            return Availability.unavailable(missing);
        }
        try {
            return probe.get();
        } catch (LinkageError e) {
            // JNA is there but does not load: most often its native part (libjnidispatch) for
            // this platform, or a JNA older than the one loop-iocp-jna was built against.
            return Availability.unavailable("JNA (" + JNA_ARTIFACT + ") is present but failed to load: " + e
                    + "; use the JNA version loop-iocp-jna declares, for this platform");
        }
    }

    /** Why JNA cannot be used at all, or {@code null} if its classes are there. */
    static String jnaMissing() {
        try {
            // Not initialized: this must not load JNA's native library, only find the class.
            Class.forName("com.sun.jna.Native", false, Backends.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "JNA is missing: the completion loop needs the artifact " + JNA_ARTIFACT
                    + " (module com.sun.jna) on the class path or module path, beside loop-iocp-jna (" + e + ")";
        }
    }

    private static boolean isLinux(String os) {
        return os.toLowerCase(Locale.ROOT).startsWith("linux");
    }

    private static boolean isWindows(String os) {
        return os.toLowerCase(Locale.ROOT).startsWith("windows");
    }

    private static final class Holder {
        static final Availability IO_URING = probeWithJna(Holder::probeIoUring);
        static final Availability AVAILABILITY = pick();

        private static Availability probeIoUring() {
            String reason = UringProbe.unavailableReason();
            return reason == null ? Availability.available() : Availability.unavailable(reason);
        }

        private static Availability pick() {
            String os = System.getProperty("os.name", "");
            if (isLinux(os)) {
                return IO_URING;
            }
            if (isWindows(os)) {
                return iocp();
            }
            return Availability.unavailable("A completion loop needs Linux (io_uring) or Windows (IOCP); os.name is '"
                    + os + "'");
        }
    }

    /** Apart from {@link Holder}, so that Linux never runs the IOCP probe unless asked. */
    private static final class IocpHolder {
        static final Availability IOCP = probeWithJna(IocpProbe::availability);
    }
}
