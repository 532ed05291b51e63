// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;

/**
 * Opens the completion loop by its provider name (not by class, so that a rename of its module
 * does not break the stream runners), or decides what a test does without it: skip with the
 * probe's reason, or fail when {@code loopwire.require} contains {@code io_uring}.
 */
final class StreamLoops {

    private StreamLoops() {
    }

    static EventLoop completion() {
        Availability availability = EventLoops.providers().stream().filter(p -> p.name().equals("completion"))
                .map(EventLoops::availability).findFirst()
                .orElse(Availability.unavailable("no event loop provider named 'completion' is installed"));
        if (!availability.isAvailable()) {
            if (System.getProperty("loopwire.require", "").contains("io_uring")) {
                fail("io_uring is required (loopwire.require) but the completion loop is unavailable: "
                        + availability.reason());
            }
            assumeTrue(false, "completion loop unavailable: " + availability.reason());
        }
        return EventLoops.open("completion");
    }
}
