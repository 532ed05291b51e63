// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;

/**
 * Opens the completion loop, or decides what a test does without it: skip with the probe's
 * reason, or fail when the system property {@code loopwire.require} contains {@code io_uring}
 * (set by {@code .ci/run} on machines where io_uring must work). The same rule as
 * {@code loop-iocp-jna}'s {@code RequireIoUring}, reached by the loop's name because this module
 * does not read the loop module.
 */
public final class RequireIoUring {

    static final String LOOP = "completion";

    private RequireIoUring() {
    }

    /** Call first in every test that needs the completion loop. */
    public static void check() {
        Availability availability = EventLoops.providers().stream().filter(p -> p.name().equals(LOOP))
                .map(EventLoops::availability).findFirst()
                .orElse(Availability.unavailable("no event loop provider named '" + LOOP + "' is installed"));
        if (availability.isAvailable()) {
            return;
        }
        if (System.getProperty("loopwire.require", "").contains("io_uring")) {
            fail("io_uring is required (loopwire.require) but the completion loop is unavailable: "
                    + availability.reason());
        }
        assumeTrue(false, "completion loop unavailable: " + availability.reason());
    }

    /** Opens the completion loop after {@link #check()}. */
    public static EventLoop open() {
        check();
        return EventLoops.open(LOOP);
    }

}
