// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.completion.internal.Backends;

/**
 * Whether Linux io_uring can be used here: the backend {@link CompletionLoop} runs on under
 * Linux, found by a real probe (setting up a small ring and tearing it down) on first use and
 * cached for the life of the JVM.
 *
 * <p>When io_uring is available, {@code EventLoops.open("io_uring")} opens a completion loop, as
 * {@code open("completion")} does; when it is not, both say why (for example that JNA is missing
 * or that seccomp blocks {@code io_uring_setup}).
 *
 * <p>Thread-safe.
 */
public final class IoUring {

    private IoUring() {
    }

    /**
     * Whether a {@link CompletionLoop} can run on io_uring here.
     *
     * @return {@code true} if io_uring passed its probe
     */
    public static boolean isAvailable() {
        return Holder.AVAILABILITY.isAvailable();
    }

    /**
     * Why io_uring cannot be used here, as an exception whose message says so (for example
     * "io_uring_setup returned Operation not permitted (EPERM, errno 1): blocked by seccomp ...").
     *
     * @return an {@link UnsupportedOperationException} with the reason, or {@code null} if
     *     io_uring can be used
     */
    public static Throwable unavailabilityCause() {
        return isAvailable() ? null : new UnsupportedOperationException(Holder.AVAILABILITY.reason());
    }

    /**
     * The probe's answer.
     *
     * @return available, or unavailable with the reason; never {@code null}
     */
    public static Availability availability() {
        return Holder.AVAILABILITY;
    }

    /**
     * Throws if io_uring cannot be used here.
     *
     * @throws UnsupportedOperationException with the reason
     */
    public static void ensureAvailability() {
        if (!isAvailable()) {
            throw new UnsupportedOperationException(Holder.AVAILABILITY.reason());
        }
    }

    private static final class Holder {
        static final Availability AVAILABILITY = Backends.ioUring();
    }
}
