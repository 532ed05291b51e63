// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerQueueTest {

    private final List<Throwable> errors = new ArrayList<>();

    @Test
    void runsByDeadlineThenBySchedulingOrderAcrossNanoTimeWrap() {
        TimerQueue q = new TimerQueue();
        List<String> ran = new ArrayList<>();
        long base = Long.MAX_VALUE - 10; // deadlines on both sides of the wrap
        q.add(q.newEntry(base + 20, () -> ran.add("late")));
        q.add(q.newEntry(base + 5, () -> ran.add("early-1")));
        q.add(q.newEntry(base + 5, () -> ran.add("early-2")));
        assertThat(q.nanosUntilNext(base), is(5L));
        q.runDue(base + 5, errors::add);
        assertThat(ran, contains("early-1", "early-2"));
        q.runDue(base + 20, errors::add);
        assertThat(ran, contains("early-1", "early-2", "late"));
        assertThat(q.nanosUntilNext(base + 20), is(-1L));
        assertThat(errors.isEmpty(), is(true));
    }

    @Test
    void cancelledFarTimeoutsArePurged() {
        TimerQueue q = new TimerQueue();
        List<TimerQueue.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            TimerQueue.Entry e = q.newEntry(1_000_000_000L + i, () -> { });
            q.add(e);
            entries.add(e);
        }
        for (int i = 0; i < 2500; i++) {
            entries.get(i + 500).cancel();
        }
        assertThat(q.size(), is(500));
        q.nanosUntilNext(0);
        assertThat(q.heapSize(), is(500));
    }
}
