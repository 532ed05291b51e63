// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.time.Duration;

/**
 * The capability to run a task on the loop thread after a delay.
 *
 * <p>Tasks run in deadline order; tasks with the same deadline run in the order they were
 * scheduled. A loop waits for the next deadline without spinning.
 *
 * <p><b>Concurrency.</b> {@link #schedule} and {@link Timeout#cancel()} may be called from any
 * thread; the task always runs on the loop thread.
 */
public interface Timers extends Capability {

    /**
     * Schedules {@code task} to run on the loop thread once {@code delay} has passed.
     *
     * @param delay how long to wait; zero or negative runs the task on the next loop turn
     * @param task the task; never {@code null}
     * @return a handle that cancels the task; never {@code null}
     * @throws java.util.concurrent.RejectedExecutionException if the loop is closed
     */
    Timeout schedule(Duration delay, Runnable task);

    /** A scheduled task that can still be cancelled. */
    interface Timeout {

        /**
         * Cancels the task if it has not run yet.
         *
         * @return {@code true} if this call prevented the task from running
         */
        boolean cancel();

        /**
         * Whether the task was cancelled before it ran.
         *
         * @return {@code true} if {@link #cancel()} prevented the task from running
         */
        boolean isCancelled();
    }
}
