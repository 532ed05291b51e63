// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.EventLoops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The completion loop's per-datagram path allocates nothing on the loop thread in steady state,
 * with one peer and with many (issue #14): counted bytes, not time, so the machine's load does
 * not matter. The bound is below one byte per echo on average: one allocation of any object
 * per echo (an address, a sockaddr copy) would be 16 bytes or more.
 */
class LoopAllocationTest {

    private static final int WARMUP = 60_000;
    private static final int ECHOES = 30_000;
    private static final int ATTEMPTS = 4;

    @ParameterizedTest(name = "{0} peers")
    @ValueSource(ints = {1, 1024})
    void completionLoopEchoesWithoutAllocatingOnTheLoopThread(int peers) throws Exception {
        requireCompletionLoop();
        LoopAllocation.Result result = steadyState(() -> LoopAllocation.measure("completion", peers, WARMUP, ECHOES));
        assertThat(result.toString(), result.perEcho(), is(lessThan(1.0)));
    }

    @Test
    void completionLoopWakesUpWithoutAllocatingOnTheLoopThread() throws Exception {
        requireCompletionLoop();
        LoopAllocation.Result result = steadyState(() -> LoopAllocation.wakeups("completion", 20_000, 5_000));
        assertThat(result.toString(), result.perEcho(), is(lessThan(1.0)));
    }

    /** A measurement method. */
    private interface Measurement {
        LoopAllocation.Result run() throws Exception;
    }

    /**
     * The first of up to {@value #ATTEMPTS} measurements under one byte per echo, else the last:
     * until the JIT has compiled the path (later on a loaded machine), interpreted code allocates
     * what compiled code does not, so a slow warm-up gets more rounds; an allocation in the path
     * itself shows in every round.
     */
    private static LoopAllocation.Result steadyState(Measurement measurement) throws Exception {
        LoopAllocation.Result result = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            result = measurement.run();
            if (result.perEcho() < 1.0) {
                break;
            }
        }
        return result;
    }

    /** Skips without io_uring, or fails when {@code -Dloopwire.require=io_uring} says it must work. */
    private static void requireCompletionLoop() {
        Availability availability = EventLoops.providers().stream().filter(p -> p.name().equals("completion"))
                .map(EventLoops::availability).findFirst()
                .orElse(Availability.unavailable("no event loop provider named 'completion' is installed"));
        if (!availability.isAvailable() && System.getProperty("loopwire.require", "").contains("io_uring")) {
            fail("io_uring is required (loopwire.require) but the completion loop is unavailable: "
                    + availability.reason());
        }
        assumeTrue(availability.isAvailable(), "completion loop unavailable: " + availability.reason());
    }
}
