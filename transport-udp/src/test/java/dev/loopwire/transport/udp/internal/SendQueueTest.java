// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

/**
 * The send queue's accounting at absurd bounds (issue #10, item 11): with
 * {@code sendQueueBytes(Integer.MAX_VALUE)} the byte count must not wrap past 2^31. Only the
 * reservations are made (no payload is allocated), so 2.6 GB worth of datagrams need no heap.
 */
class SendQueueTest {

    private static final int MAX = 65_507;

    @Test
    void theByteBoundHoldsPastTwoToTheThirtyOneBytes() {
        SendQueue queue = new SendQueue(Integer.MAX_VALUE, Integer.MAX_VALUE, MAX);
        long accepted = 0;
        boolean refused = false;
        for (int i = 0; i < 40_000; i++) {
            if (queue.reserve(MAX) == SendQueue.Reservation.REFUSED) {
                refused = true;
                break;
            }
            accepted++;
        }
        assertThat("refused once the bound is reached", refused, is(true));
        assertThat(accepted, is((long) Integer.MAX_VALUE / MAX));
        assertThat(accepted * MAX <= Integer.MAX_VALUE, is(true));
        assertThat(queue.isWritable(), is(false));
        assertThat(queue.size(), is((int) accepted));
        // Giving the room back turns it writable again, at half the bound.
        for (long i = 0; i < accepted; i++) {
            queue.unreserve(MAX);
        }
        assertThat(queue.isWritable(), is(true));
        assertThat(queue.isEmpty(), is(true));
    }
}
