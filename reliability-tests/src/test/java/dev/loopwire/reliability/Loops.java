// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.completion.IoUring;
import java.util.stream.Stream;

/**
 * The loop kinds every suite here runs on, by the name {@link EventLoops#open(String)} knows.
 * A completion case skips with the probe's reason when io_uring is unavailable, unless the
 * system property {@code loopwire.require} contains {@code io_uring}: then it fails.
 */
final class Loops {

    static final String SOURCE = "dev.loopwire.reliability.Loops#kinds";

    private Loops() {
    }

    static Stream<String> kinds() {
        return Stream.of("selector", "completion");
    }

    /** Opens a loop of this kind, or skips/fails the test as described above. */
    static EventLoop open(String kind) {
        if (kind.equals("completion") && !IoUring.isAvailable()) {
            String reason = IoUring.availability().reason();
            if (System.getProperty("loopwire.require", "").contains("io_uring")) {
                fail("io_uring is required (loopwire.require) but unavailable: " + reason);
            }
            assumeTrue(false, "io_uring unavailable: " + reason);
        }
        return EventLoops.open(kind);
    }

    /** Whether {@code -Dloopwire.stress=full} asked for the full sizes. */
    static boolean full() {
        return System.getProperty("loopwire.stress", "reduced").equals("full");
    }

    /** {@code full} under {@code -Dloopwire.stress=full}, else {@code reduced}. */
    static int size(int full, int reduced) {
        return full() ? full : reduced;
    }
}
