// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.completion.IoUring;

/**
 * Skips a test where io_uring is unavailable, or fails it when the system property
 * {@code loopwire.require} contains {@code io_uring} (set on machines where it must work).
 */
final class RequireIoUring {

    private RequireIoUring() {
    }

    static void check() {
        if (IoUring.isAvailable()) {
            return;
        }
        String reason = String.valueOf(IoUring.unavailabilityCause());
        if (System.getProperty("loopwire.require", "").contains("io_uring")) {
            fail("io_uring is required (loopwire.require) but unavailable: " + reason);
        }
        assumeTrue(false, "io_uring unavailable: " + reason);
    }
}
