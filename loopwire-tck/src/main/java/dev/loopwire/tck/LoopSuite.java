// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static dev.loopwire.tck.Waits.SECONDS_BOUND;
import static dev.loopwire.tck.Waits.hold;
import static dev.loopwire.tck.Waits.onLoop;
import static dev.loopwire.tck.Waits.opened;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the event-loop suites share: the factory a loop author implements, the loops a test opens
 * (closed after it), and what the loop reported to its exception handler. Extend
 * {@link EventLoopContract}, not this class.
 */
abstract class LoopSuite {

    final List<EventLoop> opened = new ArrayList<>();

    /** What the loop under test passed to its exception handler. */
    protected final LinkedBlockingQueue<Throwable> handled = new LinkedBlockingQueue<>();

    /**
     * Opens a new, running loop whose exception handler is {@code exceptionHandler}.
     *
     * @param exceptionHandler receives every {@link Throwable} a task or timer throws; a loop
     *     without a configurable handler ignores it and overrides
     *     {@link #hasExceptionHandler()}
     * @return the running loop under test; never {@code null}; the suite closes it after the test
     */
    protected abstract EventLoop openLoop(Consumer<Throwable> exceptionHandler);

    /**
     * Whether {@link #openLoop} installs the given exception handler.
     *
     * @return {@code true} if the handler passed to {@link #openLoop} receives what tasks and
     *     timers throw, {@code false} if the loop only logs it
     * @implSpec The default is {@code true}; a loop that only logs returns {@code false}, and the
     *     suite then checks that the loop goes on, not what it reported.
     */
    protected boolean hasExceptionHandler() {
        return true;
    }

    /**
     * Lets {@code delay} pass on the loop's clock, so that timers due by then run.
     *
     * @implSpec The default does nothing: a loop on the wall clock gets there by itself, and the
     *     suite waits (bounded) for what is due. A loop with virtual time advances it here.
     *
     * @param loop a loop opened by {@link #openLoop} or {@link #openBoundedLoop}
     * @param delay how much time should pass on the loop's clock
     * @throws Exception if the loop's clock cannot be advanced; it fails the test
     */
    protected void letTimePass(EventLoop loop, Duration delay) throws Exception {
    }

    /**
     * Opens a new, running loop that refuses tasks from other threads once
     * {@code maxPendingTasks} wait to run.
     *
     * @param maxPendingTasks the bound on tasks waiting to run, at least 1
     * @param exceptionHandler receives every {@link Throwable} a task or timer throws
     * @return the running loop, or {@code null} if the loop has no configurable bound
     *
     * @implSpec The default returns {@code null}: the loop has no configurable bound, and the
     *     suite skips the test of the bound.
     */
    protected EventLoop openBoundedLoop(int maxPendingTasks, Consumer<Throwable> exceptionHandler) {
        return null;
    }

    /**
     * Opens a loop through {@link #openLoop} that the suite closes after the test.
     *
     * @return the running loop, whose exception handler adds to {@link #handled}; never
     *     {@code null}
     */
    protected final EventLoop loop() {
        EventLoop loop = openLoop(handled::add);
        assertThat("openLoop returned null", loop, is(notNullValue()));
        opened.add(loop);
        return loop;
    }

    @AfterEach
    final void closeLoops() {
        opened.forEach(EventLoop::close);
    }

    final Timers timers(EventLoop loop) {
        assumeTrue(loop.capabilities().contains(Timers.class), loop.name() + " does not offer Timers");
        return loop.capability(Timers.class).orElseThrow(() -> new AssertionError(
                loop.name() + " lists Timers among its capabilities but capability(Timers.class) is empty"));
    }

    static void recurseForever() {
        recurseForever();
    }

    static void throwUnchecked(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        throw (Error) t;
    }

    static void awaitClosed(EventLoop loop) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(SECONDS_BOUND);
        while (!loop.isClosed()) {
            assertThat("isClosed() within " + SECONDS_BOUND + " s of close()", System.nanoTime() < deadline, is(true));
            Thread.sleep(1);
        }
    }

}
