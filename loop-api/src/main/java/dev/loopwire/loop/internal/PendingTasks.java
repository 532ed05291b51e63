package dev.loopwire.loop.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on the tasks waiting to run on one loop, and their count. Shared by loopwire's loops
 * through a qualified export; not an API.
 *
 * <p>{@code -Dloopwire.maxPendingTasks=<n>} changes the default bound, {@value #DEFAULT_MAX},
 * for every loop of the JVM; a loop's builder overrides both.
 *
 * <p><b>Concurrency.</b> Thread-safe.
 */
public final class PendingTasks {

    /** The bound when neither the builder nor {@value #PROPERTY} sets one. */
    public static final int DEFAULT_MAX = 1 << 20;
    /** The system property that sets the default bound. */
    public static final String PROPERTY = "loopwire.maxPendingTasks";

    private final String loopName;
    private final int max;
    private final String remedy;
    private final AtomicInteger count = new AtomicInteger();

    /**
     * @param loopName the loop's name, for messages
     * @param max the bound, already checked
     * @param builderHint how to set the bound in code, such as {@code SelectorLoop.builder().maxPendingTasks(n)}
     */
    public PendingTasks(String loopName, int max, String builderHint) {
        this.loopName = loopName;
        this.max = max;
        this.remedy = "; submit fewer tasks at once (let the loop catch up), or raise the bound with " + builderHint
                + " or -D" + PROPERTY + "=<n>";
    }

    /**
     * The bound from {@value #PROPERTY}, or {@link #DEFAULT_MAX}.
     *
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
     * Counts one more task.
     *
     * @throws RejectedExecutionException if the bound is reached; nothing is counted then
     */
    public void acquire() {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            throw new RejectedExecutionException("Loop '" + loopName + "' already has " + max
                    + " tasks waiting to run, its bound (maxPendingTasks)" + remedy);
        }
    }

    /** Counts one task less: it was taken to run, or taken back. */
    public void release() {
        count.decrementAndGet();
    }

    /** Tasks waiting to run. */
    public int count() {
        return count.get();
    }

    /** The bound. */
    public int max() {
        return max;
    }
}
