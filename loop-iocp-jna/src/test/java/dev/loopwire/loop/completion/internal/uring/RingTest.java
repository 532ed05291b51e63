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

    @Test
    void reapingABatchPublishesTheCompletionHeadOnce() throws Exception {
        Ring ring = Ring.open(8, 16);
        try {
            for (int i = 0; i < 8; i++) {
                ring.prepare(ring.nextSqe(), Ring.OP_NOP, -1, 0, 0, 0, i);
            }
            assertThat(ring.submitAndWait(1_000_000_000L), is(8));
            int headBefore = ring.kernelCqHead();
            long storesBefore = ring.cqHeadStores();
            List<Long> reaped = new ArrayList<>();
            assertThat(ring.reap((userData, result, flags) -> reaped.add(userData)), is(8));
            assertThat(reaped, is(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L)));
            assertThat(ring.cqHeadStores() - storesBefore, is(1L));
            assertThat(ring.kernelCqHead() - headBefore, is(8));
        } finally {
            ring.close();
        }
    }

    @Test
    void aSinkThatEntersTheKernelMidBatchPublishesTheEntriesAlreadyRead() throws Exception {
        Ring ring = Ring.open(8, 16);
        try {
            for (int i = 0; i < 8; i++) {
                ring.prepare(ring.nextSqe(), Ring.OP_NOP, -1, 0, 0, 0, i);
            }
            assertThat(ring.submitAndWait(1_000_000_000L), is(8));
            int headBefore = ring.kernelCqHead();
            List<Integer> seenByKernel = new ArrayList<>();
            ring.reap((userData, result, flags) -> {
                if (userData == 2) {
                    ring.prepare(ring.nextSqe(), Ring.OP_NOP, -1, 0, 0, 0, 100);
                    assertThat(ring.submit(), is(1)); // enters the kernel with 3 entries read
                    seenByKernel.add(ring.kernelCqHead() - headBefore);
                }
            });
            assertThat(seenByKernel, is(List.of(3)));
            while (ring.kernelCqHead() - headBefore < 9) { // the NOP of the sink, reaped in the batch or after
                ring.submitAndWait(1_000_000_000L);
                ring.reap((userData, result, flags) -> assertThat(userData, is(100L)));
            }
            assertThat(ring.kernelCqHead() - headBefore, is(9));
        } finally {
            ring.close();
        }
    }
}
