// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.util.Objects;

/**
 * Whether a provider can run at all on this machine, and if not, why.
 *
 * <p>Availability is a separate question from fit: an io_uring loop may be unavailable because
 * the kernel refuses {@code io_uring_setup}, whatever loop or transport asks for it. The reason
 * is meant for people: "io_uring_setup returned EPERM: blocked by seccomp or
 * kernel.io_uring_disabled".
 *
 * <p>Instances are immutable values.
 */
public final class Availability {

    private static final Availability AVAILABLE = new Availability(true, "");

    private final boolean available;
    private final String reason;

    private Availability(boolean available, String reason) {
        this.available = available;
        this.reason = reason;
    }

    /**
     * The provider can run here.
     *
     * @return the shared "available" value; never null
     */
    public static Availability available() {
        return AVAILABLE;
    }

    /**
     * The provider cannot run here.
     *
     * @param reason why, for people; not blank
     * @return a new "unavailable" value carrying {@code reason}; never null
     * @throws IllegalArgumentException if the reason is blank
     */
    public static Availability unavailable(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable provider must say why");
        }
        return new Availability(false, reason);
    }

    /**
     * Whether the provider can run here.
     *
     * @return {@code true} if the provider can run here
     */
    public boolean isAvailable() {
        return available;
    }

    /**
     * Why the provider cannot run here, or the empty string when it can; never {@code null}.
     *
     * @return the reason given to {@link #unavailable}, or {@code ""}
     */
    public String reason() {
        return reason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Availability other && available == other.available && reason.equals(other.reason);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(available) * 31 + reason.hashCode();
    }

    @Override
    public String toString() {
        return available ? "available" : "unavailable: " + reason;
    }
}
