// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.completion.internal.Backends;

/**
 * Whether Windows I/O completion ports can be used here: the backend {@link CompletionLoop}
 * runs on under Windows, found by a probe (64-bit JVM, kernel32 and ws2_32 bound through JNA) on
 * first use and cached for the life of the JVM.
 *
 * <p>Elsewhere it is unavailable, with the reason. When IOCP is available,
 * {@code EventLoops.open("iocp")} opens a completion loop, as {@code open("completion")} does.
 *
 * <p>Thread-safe.
 */
public final class Iocp {

    private static final Availability AVAILABILITY = Backends.iocp();

    private Iocp() {
    }

    /**
     * Whether a {@link CompletionLoop} can run on IOCP here.
     *
     * @return {@code true} if IOCP passed its probe
     */
    public static boolean isAvailable() {
        return AVAILABILITY.isAvailable();
    }

    /**
     * Why IOCP cannot be used here, as an exception whose message says so.
     *
     * @return an {@link UnsupportedOperationException} with the reason, or {@code null} if IOCP
     *     can be used
     */
    public static Throwable unavailabilityCause() {
        return isAvailable() ? null : new UnsupportedOperationException(AVAILABILITY.reason());
    }

    /**
     * The probe's answer.
     *
     * @return available, or unavailable with the reason; never {@code null}
     */
    public static Availability availability() {
        return AVAILABILITY;
    }
}
