// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The tasks waiting to run on one loop, with their bound. Shared by loopwire's loops through a
 * qualified export; not an API.
 *
 * <p>The default bound, {@value #DEFAULT_MAX}, was measured: that many small tasks (a queue node
 * and a lambda capturing one value, 48 bytes each) hold 48 MiB of heap, so a loop flooded from
 * other threads refuses work before a 64 MiB heap runs out, while a loop that keeps up never
 * comes near it. {@code -Dloopwire.maxPendingTasks=<n>} changes the default for every loop of
 * the JVM; a loop's builder overrides both.
 *
 * <p><b>Concurrency.</b> {@link #offer} from any thread; running and dropping on the loop thread.
 */
public final class TaskQueue {

    /** The bound when neither the builder nor {@value #PROPERTY} sets one. */
    public static final int DEFAULT_MAX = 1 << 20;
    /** The system property that sets the default bound. */
    public static final String PROPERTY = "loopwire.maxPendingTasks";

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    // Counted apart from the queue: ConcurrentLinkedQueue.size() walks every node.
    private final AtomicInteger count = new AtomicInteger();
    private final String loopName;
    private final int max;
    private final String remedy;

    /**
     * @param loopName the loop's name, for messages
     * @param max the bound, already checked
     * @param builderHint how to set the bound in code, such as {@code SelectorLoop.builder().maxPendingTasks(n)}
     */
    public TaskQueue(String loopName, int max, String builderHint) {
        this.loopName = loopName;
        this.max = max;
        this.remedy = "; submit fewer tasks at once (let the loop catch up), or raise the bound with " + builderHint
                + " or -D" + PROPERTY + "=<n>";
    }

    /**
     * The bound from {@value #PROPERTY}, or {@link #DEFAULT_MAX}.
     *
     * @return the bound, at least 1
     * @throws IllegalArgumentException if the property is not a whole number of at least 1
     */
    public static int defaultMax() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return DEFAULT_MAX;
        }
        int max;
        try {
            max = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            max = 0;
        }
        if (max < 1) {
            throw new IllegalArgumentException("-D" + PROPERTY + "='" + value + "' is not a whole number from 1 to "
                    + Integer.MAX_VALUE + "; fix the value or remove the property (default " + DEFAULT_MAX + ")");
        }
        return max;
    }

    /**
     * Checks a bound given to a builder.
     *
     * @param max the bound given to the builder
     * @return {@code max}, checked
     * @throws IllegalArgumentException if {@code max} is less than 1
     */
    public static int check(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxPendingTasks '" + max + "' must be at least 1; give a bound from 1 to "
                    + Integer.MAX_VALUE + " (default " + DEFAULT_MAX + ")");
        }
        return max;
    }

    /**
     * Adds a task unless {@code refuses} says the loop takes no more. It is asked before and
     * after the add: a close that slipped in between, after the loop's last drain, takes the task
     * back (if the loop has not taken it), so nothing is accepted and then dropped.
     *
     * @param task the task; never {@code null}
     * @param refuses {@code true} once the loop takes no more tasks (it is closing or has ended)
     * @return {@code false} if refused (nothing was added)
     * @throws RejectedExecutionException if the bound ({@code max}, given to the constructor) of
     *     tasks are already waiting
     */
    public boolean offer(Runnable task, BooleanSupplier refuses) {
        if (refuses.getAsBoolean()) {
            return false;
        }
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            throw new RejectedExecutionException("Loop '" + loopName + "' already has " + max
                    + " tasks waiting to run, its bound (maxPendingTasks)" + remedy);
        }
        tasks.add(task);
        if (refuses.getAsBoolean() && tasks.remove(task)) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Runs up to {@code limit} tasks in order, each throwable ({@code Error}s included) to
     * {@code onError}, stopping early once {@code stop} says so; loop thread only.
     *
     * @param limit the most tasks to run in this call, so that one turn cannot starve I/O
     * @param onError receives what each task throws, usually the loop's exception handler
     * @param stop checked before each task; {@code true} ends the call early
     */
    public void run(int limit, Consumer<Throwable> onError, BooleanSupplier stop) {
        for (int i = 0; i < limit && !stop.getAsBoolean(); i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            count.decrementAndGet();
            try {
                task.run();
            } catch (Throwable t) {
                // A StackOverflowError has unwound by now, an OutOfMemoryError thrown by user code
                // is the user's: the loop itself is intact.
                onError.accept(t);
            }
        }
    }

    /**
     * Drops every task without running it, when the loop failed; loop thread only.
     *
     * @return how many tasks were dropped, for the ERROR log
     */
    public int dropAll() {
        int dropped = 0;
        while (tasks.poll() != null) {
            count.decrementAndGet();
            dropped++;
        }
        return dropped;
    }

    /**
     * Whether no task waits.
     *
     * @return {@code true} if no task waits
     */
    public boolean isEmpty() {
        return tasks.isEmpty();
    }

    /**
     * Tasks waiting to run.
     *
     * @return the count, 0 or more
     */
    public int size() {
        return count.get();
    }
}
