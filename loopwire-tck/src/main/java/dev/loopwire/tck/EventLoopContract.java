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
 * The contract every {@link EventLoop} keeps: tasks run in order on one thread, hand-over from
 * any thread loses nothing, close is graceful and idempotent (also from a callback), and a
 * {@link Throwable} thrown by a task or timer — {@link Error}s included — goes to the loop's
 * exception handler while the loop goes on.
 *
 * <p>Extend it with one method that opens your loop:
 *
 * <pre>{@code
 * class MyLoopContractTest extends EventLoopContract {
 *     protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
 *         return MyLoop.builder().exceptionHandler(exceptionHandler).open();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> Each test opens its own loop through {@link #openLoop} and closes it
 * afterwards, also when the test fails. Tests never depend on timing: every wait is bounded
 * (ten seconds) and ends as soon as its condition holds. A loop with virtual time overrides
 * {@link #letTimePass}.
 *
 * <p><b>Concurrency.</b> JUnit runs the methods of one instance one after the other; the tests
 * themselves call the loop from many threads.
 */
public abstract class EventLoopContract extends LoopCloseTests {

    /** Errors the suite throws from tasks and timers, each of which the loop must survive. */
    private static final List<Supplier<Throwable>> THROWN = List.of(
            () -> new IllegalStateException("thrown by the test"),
            () -> new OutOfMemoryError("thrown by the test"),
            () -> new AssertionError("thrown by the test"),
            () -> new LinkageError("thrown by the test"));

    /**
     * A thousand tasks submitted from one thread all run, in the order they were submitted, on
     * one thread where {@code inLoop()} is {@code true}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void tasksRunOnTheLoopThreadInTheOrderTheyWereSubmitted() throws Exception {
        EventLoop loop = loop();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        AtomicReference<Thread> thread = new AtomicReference<>();
        AtomicInteger offThread = new AtomicInteger();
        int count = 1000;
        for (int i = 0; i < count; i++) {
            int n = i;
            loop.execute(() -> {
                if (!loop.inLoop() || (thread.getAndSet(Thread.currentThread()) != null
                        && thread.get() != Thread.currentThread())) {
                    offThread.incrementAndGet();
                }
                ran.add(n);
            });
        }
        onLoop(loop, () -> null);
        assertThat(ran.size(), is(count));
        for (int i = 0; i < count; i++) {
            assertThat("task at index " + i, ran.get(i), is(i));
        }
        assertThat("tasks that ran off the loop thread or where inLoop() was false", offThread.get(), is(0));
    }

    /**
     * {@code inLoop()} is {@code true} on the loop's thread and {@code false} on the test
     * thread and on another loop's thread.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void inLoopIsTrueOnTheLoopThreadOnly() throws Exception {
        EventLoop loop = loop();
        assertThat(loop.inLoop(), is(false));
        assertThat(onLoop(loop, loop::inLoop), is(true));
        EventLoop other = loop();
        assertThat("another loop's thread is not this loop's", onLoop(other, loop::inLoop), is(false));
    }

    /**
     * Tasks submitted by eight threads at once, 2,000 each, all run, and each thread's tasks
     * run in the order that thread submitted them.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void tasksHandedOverFromManyThreadsAllRunEachThreadsInItsOrder() throws Exception {
        EventLoop loop = loop();
        int threads = 8;
        int perThread = 2000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            seen.add(new ArrayList<>()); // only touched on the loop thread
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread submitter = new Thread(() -> {
                opened(start);
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    loop.execute(() -> seen.get(thread).add(n));
                }
            }, "submitter-" + t);
            submitter.start();
            submitters.add(submitter);
        }
        start.countDown();
        for (Thread submitter : submitters) {
            submitter.join(SECONDS.toMillis(SECONDS_BOUND));
        }
        List<List<Integer>> copy = onLoop(loop, () -> {
            List<List<Integer>> c = new ArrayList<>();
            seen.forEach(s -> c.add(new ArrayList<>(s)));
            return c;
        });
        for (int t = 0; t < threads; t++) {
            List<Integer> got = copy.get(t);
            assertThat("tasks of submitter " + t, got.size(), is(perThread));
            for (int i = 0; i < perThread; i++) {
                assertThat("task " + i + " of submitter " + t, got.get(i), is(i));
            }
        }
    }

    /**
     * {@code close()} called while the loop is busy returns only after the 100 tasks submitted
     * before it have run; then the loop is closed, a second {@code close()} is a no-op, and
     * {@code execute} throws {@link RejectedExecutionException}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void closeRunsWhatWasSubmittedThenRejectsAndIsIdempotent() throws Exception {
        EventLoop loop = loop();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(hold(entered, release));
        assertThat(opened(entered), is(true));
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            loop.execute(ran::incrementAndGet);
        }
        CompletableFuture<Void> closing = CompletableFuture.runAsync(loop::close);
        // close() must not return while the loop is still busy; release the loop to let it end.
        release.countDown();
        closing.get(SECONDS_BOUND, SECONDS);
        assertThat("tasks submitted before close that ran", ran.get(), is(100));
        assertThat(loop.isClosed(), is(true));
        loop.close(); // a second close is a no-op
        assertThat(loop.isClosed(), is(true));
        assertThrows(RejectedExecutionException.class, () -> loop.execute(ran::incrementAndGet));
        assertThat(ran.get(), is(100));
    }

    /**
     * {@code execute(null)} throws {@link NullPointerException} and the loop goes on running
     * tasks.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void executeRefusesNullWithoutHarm() throws Exception {
        EventLoop loop = loop();
        assertThrows(NullPointerException.class, () -> loop.execute(null));
        assertThat(onLoop(loop, () -> "still running"), is("still running"));
    }

    /**
     * While four threads submit as fast as they can, {@code close()} ends the loop: every
     * submitter stops on {@link RejectedExecutionException}, and every task {@code execute}
     * accepted has run; none is lost silently.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void everyAcceptedTaskRunsWhenCloseRacesWithSubmitters() throws Exception {
        EventLoop loop = loop();
        int threads = 4;
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(threads);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread submitter = new Thread(() -> {
                started.countDown();
                for (int i = 0; i < 1_000_000; i++) {
                    try {
                        loop.execute(ran::incrementAndGet);
                        accepted.incrementAndGet();
                    } catch (RejectedExecutionException e) {
                        return;
                    }
                }
            }, "racing-submitter-" + t);
            submitter.start();
            submitters.add(submitter);
        }
        assertThat(opened(started), is(true));
        loop.close();
        for (Thread submitter : submitters) {
            submitter.join(SECONDS.toMillis(SECONDS_BOUND));
            assertThat(submitter.getName() + " still running", submitter.isAlive(), is(false));
        }
        assertThat("tasks accepted by execute that never ran (lost silently)", accepted.get() - ran.get(), is(0));
    }

    /**
     * {@code close()} called from a task returns at once on the loop thread with {@code
     * isClosed()} already {@code true}; a task that task submits afterwards still runs, the
     * loop then ends, and {@code execute} rejects.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void closeFromATaskCompletesAfterTheTaskReturns() throws Exception {
        EventLoop loop = loop();
        List<String> events = new CopyOnWriteArrayList<>();
        loop.execute(() -> {
            loop.close();
            events.add("close returned on the loop thread");
            events.add("isClosed=" + loop.isClosed());
            // While the loop closes, work submitted on the loop thread is still taken and run.
            loop.execute(() -> events.add("task submitted on the loop thread after close ran"));
        });
        // From another thread, close() waits for the loop thread to end; it must end.
        CompletableFuture.runAsync(loop::close).get(SECONDS_BOUND, SECONDS);
        assertThat(events, contains("close returned on the loop thread", "isClosed=true",
                "task submitted on the loop thread after close ran"));
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> events.add("after the end")));
    }

    /**
     * A task that overflows its stack leaves the loop open and running the next task; the
     * {@link StackOverflowError} goes to the exception handler.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void aStackOverflowInATaskLeavesTheLoopRunning() throws Exception {
        EventLoop loop = loop();
        loop.execute(EventLoopContract::recurseForever);
        assertThat(onLoop(loop, () -> "after the overflow"), is("after the overflow"));
        assertThat(loop.isClosed(), is(false));
        if (hasExceptionHandler()) {
            assertThat(handled.poll(SECONDS_BOUND, SECONDS), is(instanceOf(StackOverflowError.class)));
        }
    }

    /**
     * An {@link IllegalStateException}, an {@link OutOfMemoryError}, an {@link AssertionError}
     * and a {@link LinkageError} thrown by tasks each go to the exception handler, the very
     * instance thrown, and the loop stays open and runs the next task.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void exceptionsAndErrorsThrownByTasksGoToTheHandlerAndTheLoopGoesOn() throws Exception {
        EventLoop loop = loop();
        for (Supplier<Throwable> thrown : THROWN) {
            Throwable t = thrown.get();
            loop.execute(() -> throwUnchecked(t));
            try {
                onLoop(loop, () -> "next");
            } catch (AssertionError e) {
                throw new AssertionError("after a task threw " + t + ": " + e.getMessage(), e);
            }
            if (hasExceptionHandler()) {
                assertThat(handled.poll(SECONDS_BOUND, SECONDS), is(t));
            }
        }
        assertThat(loop.isClosed(), is(false));
    }

    /**
     * The same throwables, and a real {@link StackOverflowError}, thrown by timers go to the
     * exception handler in order, and a timer due after them still runs. Skipped where the
     * loop does not offer {@link Timers}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void exceptionsAndErrorsThrownByTimersGoToTheHandlerAndTheLoopGoesOn() throws Exception {
        EventLoop loop = loop();
        Timers timers = timers(loop);
        List<Throwable> all = new ArrayList<>();
        THROWN.forEach(s -> all.add(s.get()));
        CountDownLatch after = new CountDownLatch(1);
        for (Throwable t : all) {
            timers.schedule(Duration.ofMillis(1), () -> throwUnchecked(t));
        }
        timers.schedule(Duration.ofMillis(1), EventLoopContract::recurseForever);
        timers.schedule(Duration.ofMillis(2), after::countDown);
        letTimePass(loop, Duration.ofMillis(5));
        assertThat("a timer after the throwing ones ran", opened(after), is(true));
        assertThat(onLoop(loop, () -> "next"), is("next"));
        if (hasExceptionHandler()) {
            for (Throwable t : all) {
                assertThat(handled.poll(SECONDS_BOUND, SECONDS), is(t));
            }
            assertThat(handled.poll(SECONDS_BOUND, SECONDS), is(instanceOf(StackOverflowError.class)));
        }
    }

    /**
     * Timers scheduled in one loop turn run in deadline order, those with the same deadline in
     * the order they were scheduled, a negative delay first; a cancelled timer never runs, and
     * cancelling it again returns {@code false}. Skipped where the loop does not offer {@link
     * Timers}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void timersRunInDeadlineOrderThenInScheduleOrderAndCancelledOnesNever() throws Exception {
        EventLoop loop = loop();
        Timers timers = timers(loop);
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch last = new CountDownLatch(1);
        // Scheduled in one loop turn so that every delay counts from the same moment.
        Timers.Timeout cancelled = onLoop(loop, () -> {
            timers.schedule(Duration.ofMillis(30), () -> ran.add("30ms"));
            timers.schedule(Duration.ofMillis(10), () -> ran.add("10ms a"));
            Timers.Timeout c = timers.schedule(Duration.ofMillis(15), () -> ran.add("cancelled"));
            timers.schedule(Duration.ofMillis(10), () -> ran.add("10ms b"));
            timers.schedule(Duration.ofMillis(-5), () -> ran.add("negative"));
            timers.schedule(Duration.ofMillis(20), () -> ran.add("20ms"));
            timers.schedule(Duration.ofMillis(40), last::countDown);
            assertThat("cancel of a timer that has not run", c.cancel(), is(true));
            return c;
        });
        assertThat(cancelled.isCancelled(), is(true));
        assertThat("a second cancel prevents nothing more", cancelled.cancel(), is(false));
        letTimePass(loop, Duration.ofMillis(50));
        assertThat(opened(last), is(true));
        assertThat(ran, contains("negative", "10ms a", "10ms b", "20ms", "30ms"));
    }

    /**
     * A timer scheduled from the test thread runs on the loop thread. Skipped where the loop
     * does not offer {@link Timers}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void aTimerScheduledFromAnotherThreadRunsOnTheLoopThread() throws Exception {
        EventLoop loop = loop();
        Timers timers = timers(loop);
        CompletableFuture<Boolean> inLoop = new CompletableFuture<>();
        timers.schedule(Duration.ofMillis(1), () -> inLoop.complete(loop.inLoop()));
        letTimePass(loop, Duration.ofMillis(5));
        assertThat(inLoop.get(SECONDS_BOUND, SECONDS), is(true));
    }

    /**
     * {@code Timers.schedule} on a closed loop throws {@link RejectedExecutionException}.
     * Skipped where the loop does not offer {@link Timers}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
    @Test
    public void aTimerScheduledOnAClosedLoopIsRejected() throws Exception {
        EventLoop loop = loop();
        Timers timers = timers(loop);
        loop.close();
        assertThrows(RejectedExecutionException.class, () -> timers.schedule(Duration.ZERO, () -> { }));
    }
}
