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
public abstract class EventLoopContract {

    /** Errors the suite throws from tasks and timers, each of which the loop must survive. */
    private static final List<Supplier<Throwable>> THROWN = List.of(
            () -> new IllegalStateException("thrown by the test"),
            () -> new OutOfMemoryError("thrown by the test"),
            () -> new AssertionError("thrown by the test"),
            () -> new LinkageError("thrown by the test"));

    private final List<EventLoop> opened = new ArrayList<>();

    /** What the loop under test passed to its exception handler. */
    protected final LinkedBlockingQueue<Throwable> handled = new LinkedBlockingQueue<>();

    /**
     * Opens a new, running loop whose exception handler is {@code exceptionHandler}.
     *
     * @param exceptionHandler receives every {@link Throwable} a task or timer throws; a loop
     *     without a configurable handler ignores it and overrides
     *     {@link #hasExceptionHandler()}
     */
    protected abstract EventLoop openLoop(Consumer<Throwable> exceptionHandler);

    /**
     * Whether {@link #openLoop} installs the given exception handler.
     *
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
     */
    protected void letTimePass(EventLoop loop, Duration delay) throws Exception {
    }

    /**
     * Opens a new, running loop that refuses tasks from other threads once
     * {@code maxPendingTasks} wait to run.
     *
     * @implSpec The default returns {@code null}: the loop has no configurable bound, and the
     *     suite skips the test of the bound.
     */
    protected EventLoop openBoundedLoop(int maxPendingTasks, Consumer<Throwable> exceptionHandler) {
        return null;
    }

    /** Opens a loop through {@link #openLoop} that the suite closes after the test. */
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

    @Test
    public void inLoopIsTrueOnTheLoopThreadOnly() throws Exception {
        EventLoop loop = loop();
        assertThat(loop.inLoop(), is(false));
        assertThat(onLoop(loop, loop::inLoop), is(true));
        EventLoop other = loop();
        assertThat("another loop's thread is not this loop's", onLoop(other, loop::inLoop), is(false));
    }

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

    @Test
    public void executeRefusesNullWithoutHarm() throws Exception {
        EventLoop loop = loop();
        assertThrows(NullPointerException.class, () -> loop.execute(null));
        assertThat(onLoop(loop, () -> "still running"), is("still running"));
    }

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

    @Test
    public void aTimerScheduledFromAnotherThreadRunsOnTheLoopThread() throws Exception {
        EventLoop loop = loop();
        Timers timers = timers(loop);
        CompletableFuture<Boolean> inLoop = new CompletableFuture<>();
        timers.schedule(Duration.ofMillis(1), () -> inLoop.complete(loop.inLoop()));
        letTimePass(loop, Duration.ofMillis(5));
        assertThat(inLoop.get(SECONDS_BOUND, SECONDS), is(true));
    }

    @Test
    public void aTimerScheduledOnAClosedLoopIsRejected() throws Exception {
        EventLoop loop = loop();
        Timers timers = timers(loop);
        loop.close();
        assertThrows(RejectedExecutionException.class, () -> timers.schedule(Duration.ZERO, () -> { }));
    }

    @Test
    public void theTaskBoundRefusesWithRejectedExecutionExceptionAndTheLoopStaysUsable() throws Exception {
        int bound = 100;
        EventLoop loop = openBoundedLoop(bound, handled::add);
        assumeTrue(loop != null, "the loop has no configurable task bound (openBoundedLoop returned null)");
        opened.add(loop);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(hold(entered, release));
        assertThat(opened(entered), is(true));
        AtomicInteger ran = new AtomicInteger();
        int accepted = 0;
        RejectedExecutionException refused = null;
        while (refused == null) {
            try {
                loop.execute(ran::incrementAndGet);
                accepted++;
                assertThat("tasks accepted past a bound of " + bound, accepted <= bound, is(true));
            } catch (RejectedExecutionException e) {
                refused = e;
            }
        }
        assertThat("the bound is reached, not fewer", accepted, is(bound));
        assertThat("the refusal names the bound", refused.getMessage(), containsString(String.valueOf(bound)));
        assertThat("a full queue does not close the loop", loop.isClosed(), is(false));
        release.countDown();
        assertThat(onLoop(loop, () -> "usable again"), is("usable again"));
        assertThat("every accepted task ran", ran.get(), is(accepted));
        for (int i = 0; i < bound / 2; i++) {
            loop.execute(ran::incrementAndGet); // the bound counts waiting tasks, not all ever submitted
        }
        onLoop(loop, () -> null);
        assertThat(ran.get(), is(accepted + bound / 2));
    }

    @Test
    public void closeHooksRunOnceOnTheLoopThreadInOrderAfterClose() throws Exception {
        EventLoop loop = loop();
        List<String> ran = new CopyOnWriteArrayList<>();
        AtomicInteger offThread = new AtomicInteger();
        for (String name : List.of("first", "second", "third")) {
            loop.addCloseHook(() -> {
                if (!loop.inLoop()) {
                    offThread.incrementAndGet();
                }
                ran.add(name + (loop.isClosed() ? " (closed)" : " (not closed yet)"));
            });
        }
        onLoop(loop, () -> loop.addCloseHook(() -> ran.add("fourth, added on the loop thread")));
        assertThat("hooks ran before close()", ran.isEmpty(), is(true));
        loop.close();
        loop.close();
        assertThat(ran, contains("first (closed)", "second (closed)", "third (closed)",
                "fourth, added on the loop thread"));
        assertThat("hooks that ran off the loop thread", offThread.get(), is(0));
        assertThrows(RejectedExecutionException.class, () -> loop.addCloseHook(() -> ran.add("too late")));
    }

    @Test
    public void aCloseHookThatThrowsGoesToTheHandlerAndTheNextHookRuns() throws Exception {
        EventLoop loop = loop();
        List<String> ran = new CopyOnWriteArrayList<>();
        Throwable error = new OutOfMemoryError("thrown by the test from a close hook");
        loop.addCloseHook(() -> {
            throw new IllegalStateException("thrown by the test from a close hook");
        });
        loop.addCloseHook(() -> throwUnchecked(error));
        loop.addCloseHook(EventLoopContract::recurseForever);
        loop.addCloseHook(() -> ran.add("last hook"));
        loop.close(); // never throws what a hook threw
        assertThat(ran, contains("last hook"));
        if (hasExceptionHandler()) {
            assertThat(handled.poll(SECONDS_BOUND, SECONDS), is(instanceOf(IllegalStateException.class)));
            assertThat(handled.poll(SECONDS_BOUND, SECONDS), is(error));
            assertThat(handled.poll(SECONDS_BOUND, SECONDS), is(instanceOf(StackOverflowError.class)));
        }
    }

    @Test
    public void aCancelledCloseHookNeverRuns() throws Exception {
        EventLoop loop = loop();
        List<String> ran = new CopyOnWriteArrayList<>();
        EventLoop.CloseHook cancelled = loop.addCloseHook(() -> ran.add("cancelled"));
        loop.addCloseHook(() -> ran.add("kept"));
        assertThat(cancelled.cancel(), is(true));
        assertThat("a second cancel prevents nothing more", cancelled.cancel(), is(false));
        EventLoop.CloseHook ranAlready = loop.addCloseHook(() -> ran.add("ran"));
        loop.close();
        assertThat(ran, contains("kept", "ran"));
        assertThat("cancel after the hook ran", ranAlready.cancel(), is(false));
    }

    @Test
    public void workACloseHookStartsRunsBeforeTheLoopEnds() throws Exception {
        EventLoop loop = loop();
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(hold(entered, release));
        assertThat(opened(entered), is(true));
        loop.execute(() -> ran.add("task submitted before close"));
        loop.addCloseHook(() -> {
            loop.execute(() -> ran.add("task from the hook"));
            loop.capability(Timers.class).ifPresent(timers ->
                    timers.schedule(Duration.ZERO, () -> ran.add("timer from the hook")));
        });
        CompletableFuture<Void> closing = CompletableFuture.runAsync(loop::close);
        awaitClosed(loop);
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> ran.add("from another thread")));
        release.countDown();
        closing.get(SECONDS_BOUND, SECONDS);
        assertThat(ran.contains("task submitted before close"), is(true));
        assertThat(ran.contains("task from the hook"), is(true));
        assertThat(ran.contains("from another thread"), is(false));
        if (loop.capabilities().contains(Timers.class)) {
            assertThat(ran.contains("timer from the hook"), is(true));
        }
    }

    @Test
    public void closeFromATaskRunsTheHooksAfterTheTaskReturns() throws Exception {
        EventLoop loop = loop();
        List<String> events = new CopyOnWriteArrayList<>();
        loop.addCloseHook(() -> events.add("hook"));
        loop.execute(() -> {
            loop.close();
            events.add("task goes on after close()");
        });
        CompletableFuture.runAsync(loop::close).get(SECONDS_BOUND, SECONDS);
        assertThat(events, contains("task goes on after close()", "hook"));
    }

    private static void awaitClosed(EventLoop loop) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(SECONDS_BOUND);
        while (!loop.isClosed()) {
            assertThat("isClosed() within " + SECONDS_BOUND + " s of close()", System.nanoTime() < deadline, is(true));
            Thread.sleep(1);
        }
    }

    private Timers timers(EventLoop loop) {
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
}
