package dev.loopwire.loop.iocp.internal;

import dev.loopwire.loop.Timers;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A loop's deadline queue: tasks ordered by deadline, then by the order they were scheduled.
 *
 * <p>Loop thread only, except {@link Task#cancel()} (any thread) and {@link #size()} (a
 * snapshot for {@code toString}).
 */
public final class TimerQueue {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long sequence;
    private volatile int size;

    /** Adds a task created with {@link #newTask}. */
    public void add(Task task) {
        if (task.state.get() == Task.PENDING) {
            task.sequence = sequence++;
            queue.add(task);
            size = queue.size();
        }
    }

    /** Removes a cancelled task now rather than when its deadline comes. */
    public void remove(Task task) {
        if (queue.remove(task)) {
            size = queue.size();
        }
    }

    /**
     * Runs every task whose deadline has passed, each through {@code guard}.
     *
     * @param runner runs one task and deals with what it throws
     */
    public void runDue(long now, Consumer<Runnable> runner) {
        Task head;
        while ((head = queue.peek()) != null && head.deadline - now <= 0) {
            queue.poll();
            size = queue.size();
            if (head.state.compareAndSet(Task.PENDING, Task.RAN)) {
                runner.accept(head.task);
            }
        }
    }

    /** Nanoseconds until the next deadline (0 if due), or -1 if there is none. */
    public long nanosUntilNext(long now) {
        Task head;
        while ((head = queue.peek()) != null && head.state.get() == Task.CANCELLED) {
            queue.poll();
            size = queue.size();
        }
        return head == null ? -1 : Math.max(0, head.deadline - now);
    }

    /** Cancels every task; used when the loop closes. */
    public void cancelAll() {
        for (Task task : queue) {
            task.state.compareAndSet(Task.PENDING, Task.CANCELLED);
        }
        queue.clear();
        size = 0;
    }

    /** Tasks in the queue (cancelled ones may linger until their deadline). */
    public int size() {
        return size;
    }

    /** A task for {@code delay} nanoseconds from {@code now}. */
    public static Task newTask(long now, long delayNanos, Runnable task, Consumer<Task> onCancel) {
        return new Task(now + Math.max(0, delayNanos), task, onCancel);
    }

    /** A scheduled task; {@link #cancel()} may be called from any thread. */
    public static final class Task implements Timers.Timeout, Comparable<Task> {
        private static final int PENDING = 0;
        private static final int RAN = 1;
        private static final int CANCELLED = 2;

        private final long deadline;
        private final Runnable task;
        private final Consumer<Task> onCancel;
        private final AtomicInteger state = new AtomicInteger(PENDING);
        private long sequence;

        private Task(long deadline, Runnable task, Consumer<Task> onCancel) {
            this.deadline = deadline;
            this.task = task;
            this.onCancel = onCancel;
        }

        @Override
        public boolean cancel() {
            if (state.compareAndSet(PENDING, CANCELLED)) {
                onCancel.accept(this);
                return true;
            }
            return false;
        }

        @Override
        public boolean isCancelled() {
            return state.get() == CANCELLED;
        }

        @Override
        public int compareTo(Task other) {
            int byDeadline = Long.compare(deadline - other.deadline, 0);
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }

        @Override
        public String toString() {
            return "Timeout[" + (state.get() == PENDING ? "pending" : state.get() == RAN ? "ran" : "cancelled") + "]";
        }
    }
}
