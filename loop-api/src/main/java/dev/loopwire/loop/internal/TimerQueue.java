// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

import dev.loopwire.loop.Timers;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The timers of one loop: a heap ordered by deadline, then by the order of scheduling. Shared
 * by loopwire's loops through a qualified export; not an API.
 *
 * <p><b>Concurrency.</b> The heap is touched on the loop thread only; {@link Entry#cancel()} may
 * be called from any thread and only flips the entry's state: the loop drops cancelled entries
 * when they reach the top of the heap, so cancelling never needs a hand-over to the loop. So
 * that many cancelled far-off timeouts (the usual fate of a request timeout) do not pile up,
 * the heap is purged once cancelled entries outnumber live ones.
 */
public final class TimerQueue {

    private static final int WAITING = 0;
    private static final int DONE = 1;
    private static final int CANCELLED = 2;

    private final PriorityQueue<Entry> heap = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    // Timers neither run nor cancelled, readable from any thread for toString().
    private final AtomicInteger live = new AtomicInteger();
    // Cancelled entries that may still sit in the heap.
    private final AtomicInteger cancelled = new AtomicInteger();
    private static final int PURGE_THRESHOLD = 1024;
    private static final Duration CENTURY = Duration.ofDays(365 * 100);

    /**
     * Schedules a task: a delay of zero or less runs it on the next turn, one past a century
     * never, in practice. On the loop thread the entry is added at once, else handed over.
     *
     * @param delay how long from now; never {@code null}
     * @param task what to run on the loop thread; never {@code null}
     * @param onLoopThread whether the caller is on the loop thread
     * @param handOver runs the add on the loop thread when the caller is elsewhere (the loop's
     *     {@code execute})
     * @return the timer's entry, which cancels it; never null
     * @throws java.util.concurrent.RejectedExecutionException if {@code handOver} refuses; the
     *     entry is cancelled then
     */
    public Entry schedule(Duration delay, Runnable task, boolean onLoopThread, Executor handOver) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        long nanos = delay.isNegative() ? 0 : delay.compareTo(CENTURY) > 0 ? CENTURY.toNanos() : delay.toNanos();
        Entry entry = newEntry(System.nanoTime() + nanos, task);
        try {
            if (onLoopThread) {
                add(entry);
            } else {
                handOver.execute(() -> add(entry));
            }
        } catch (RuntimeException e) {
            entry.cancel();
            throw e;
        }
        return entry;
    }

    /**
     * Creates an entry; the caller hands it to {@link #add} on the loop thread.
     *
     * @param deadlineNanos when to run, in {@link System#nanoTime()} time
     * @param task what to run; never {@code null}
     * @return the entry, counted as live until it runs or is cancelled
     */
    public Entry newEntry(long deadlineNanos, Runnable task) {
        live.incrementAndGet();
        return new Entry(deadlineNanos, sequence.getAndIncrement(), task);
    }

    /**
     * Adds an entry; loop thread only. A cancelled entry is dropped.
     *
     * @param entry an entry from {@link #newEntry}
     */
    public void add(Entry entry) {
        if (entry.state.get() == WAITING) {
            heap.add(entry);
        }
    }

    /**
     * Nanoseconds until the first live deadline, at least 0, or -1 if there is none; loop thread
     * only.
     *
     * @param now the current {@link System#nanoTime()}
     * @return the wait in nanoseconds for the loop's select or wait call, or -1 for "no timer"
     */
    public long nanosUntilNext(long now) {
        int dead = cancelled.get();
        if (dead >= PURGE_THRESHOLD && dead > heap.size() / 2) {
            heap.removeIf(e -> e.state.get() != WAITING);
            cancelled.set(0);
        }
        Entry top = peekLive();
        return top == null ? -1 : Math.max(0, top.deadline - now);
    }

    /**
     * Runs every entry due at {@code now}, passing what each throws ({@code Error}s included) to
     * {@code onError}; if {@code onError} throws, that ends the call. Loop thread only.
     *
     * @param now the current {@link System#nanoTime()}
     * @param onError receives what each task throws, usually the loop's exception handler
     */
    public void runDue(long now, Consumer<Throwable> onError) {
        Entry top;
        while ((top = peekLive()) != null && top.deadline - now <= 0) {
            heap.poll();
            if (top.state.compareAndSet(WAITING, DONE)) {
                live.decrementAndGet();
                try {
                    top.task.run();
                } catch (Throwable t) {
                    // Errors included: a StackOverflowError in a timer must not end the loop.
                    onError.accept(t);
                }
            }
        }
    }

    /** Cancels every entry left, when the loop closes; loop thread only. */
    public void cancelAll() {
        Entry e;
        while ((e = heap.poll()) != null) {
            e.cancel();
        }
    }

    /**
     * Entries in the heap, cancelled ones included; loop thread only, for tests.
     *
     * @return the count, 0 or more
     */
    public int heapSize() {
        return heap.size();
    }

    /**
     * The number of timers not yet run nor cancelled; any thread.
     *
     * @return the count, 0 or more
     */
    public int size() {
        return live.get();
    }

    private Entry peekLive() {
        Entry top;
        while ((top = heap.peek()) != null && top.state.get() != WAITING) {
            heap.poll();
        }
        return top;
    }

    /** One scheduled task. */
    public final class Entry implements Timers.Timeout, Comparable<Entry> {
        private final long deadline;
        private final long seq;
        private final Runnable task;
        private final AtomicInteger state = new AtomicInteger(WAITING);

        private Entry(long deadline, long seq, Runnable task) {
            this.deadline = deadline;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public boolean cancel() {
            if (state.compareAndSet(WAITING, CANCELLED)) {
                live.decrementAndGet();
                cancelled.incrementAndGet();
                return true;
            }
            return false;
        }

        @Override
        public boolean isCancelled() {
            return state.get() == CANCELLED;
        }

        @Override
        public int compareTo(Entry o) {
            // Subtract, not compare: nanoTime values may wrap.
            long d = deadline - o.deadline;
            return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(seq, o.seq);
        }

        @Override
        public String toString() {
            return "Timeout[" + (state.get() == WAITING ? "waiting" : state.get() == DONE ? "done" : "cancelled") + "]";
        }
    }
}
