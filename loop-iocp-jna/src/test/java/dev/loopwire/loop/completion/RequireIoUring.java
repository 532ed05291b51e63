// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one place that decides what an io_uring test does when io_uring is unavailable: skip
 * with the probe's reason, or fail when the system property {@code loopwire.require} contains
 * {@code io_uring} (set by {@code .ci/run} on machines where io_uring must work).
 */
public final class RequireIoUring {

    private RequireIoUring() {
    }

    /** Call first in every test that needs io_uring. */
    public static void check() {
        if (IoUring.isAvailable()) {
            return;
        }
        String reason = IoUring.availability().reason();
        if (System.getProperty("loopwire.require", "").contains("io_uring")) {
            fail("io_uring is required (loopwire.require) but unavailable: " + reason);
        }
        assumeTrue(false, "io_uring unavailable: " + reason);
    }
}
