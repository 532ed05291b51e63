// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.completion.RequireIoUring;
import dev.loopwire.loop.completion.internal.NativeMemory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The raw ring: wrap-around and the accounting of partial submissions. */
class RingTest {

    private long memoryBefore;

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
        memoryBefore = NativeMemory.outstandingBytes();
    }

    @Test
    void aFullRingIsFlushedAndWrapsAround() throws Exception {
        Ring ring = Ring.open(4, 8);
        try {
            assertThat(ring.sqEntries, is(4));
            BitSet completed = new BitSet();
            int submitted = 0;
            for (int i = 0; i < 1000; i++) {
                int sqe = ring.nextSqe();
                if (sqe < 0) {
                    assertThat(ring.pending(), is(4));
                    submitted += ring.submit();
                    ring.reap((userData, result, flags) -> {
                        assertThat(result, is(0));
                        completed.set((int) userData);
                    });
                    sqe = ring.nextSqe();
                }
                ring.prepare(sqe, Ring.OP_NOP, -1, 0, 0, 0, i);
            }
            submitted += ring.submit();
            while (completed.cardinality() < 1000) {
                assertThat(ring.submitAndWait(1_000_000_000L) >= 0, is(true));
                ring.reap((userData, result, flags) -> completed.set((int) userData));
            }
            assertThat(submitted, is(1000));
            assertThat(completed.cardinality(), is(1000));
        } finally {
            ring.close();
        }
        assertThat(NativeMemory.outstandingBytes(), is(memoryBefore));
    }

    @Test
    void aRejectedSqeStopsTheBatchAndTheRestIsSubmittedNextTime() throws Exception {
        Ring ring = Ring.open(8, 16);
        try {
            for (int i = 0; i < 7; i++) {
                int sqe = ring.nextSqe();
                // The fourth entry has an opcode no kernel knows: io_uring_enter consumes it,
                // completes it with -EINVAL, and stops there.
                ring.prepare(sqe, i == 3 ? 0xff : Ring.OP_NOP, -1, 0, 0, 0, i);
            }
            assertThat(ring.pending(), is(7));
            assertThat(ring.submit(), is(4));
            assertThat(ring.pending(), is(3));
            assertThat("a limit is honoured", ring.submit(1), is(1));
            assertThat(ring.pending(), is(2));
            assertThat(ring.submit(), is(2));
            assertThat(ring.pending(), is(0));
            List<String> completions = new ArrayList<>();
            while (completions.size() < 7) {
                ring.submitAndWait(1_000_000_000L);
                ring.reap((userData, result, flags) -> completions.add(userData + ":" + result));
            }
            completions.sort(null);
            assertThat(completions, is(List.of("0:0", "1:0", "2:0", "3:-22", "4:0", "5:0", "6:0")));
        } finally {
            ring.close();
        }
    }

    @Test
    void waitingTimesOutWithEtime() throws Exception {
        Ring ring = Ring.open(4, 8);
        try {
            assertThat(ring.submitAndWait(1_000_000L), is(-Errno.ETIME));
        } finally {
            ring.close();
        }
    }
}
