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
 * The close half of the event-loop contract: close hooks and the task bound. Extend
 * {@link EventLoopContract}, which inherits these.
 */
abstract class LoopCloseTests extends LoopSuite {

    /**
     * A loop bounded to 100 waiting tasks accepts exactly 100 while it is busy, then refuses
     * with {@link RejectedExecutionException} naming the bound; it stays open, runs every
     * accepted task, and accepts tasks again once the queue has drained. Skipped where {@link
     * #openBoundedLoop} returns {@code null}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
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
        long deadline = System.nanoTime() + SECONDS.toNanos(SECONDS_BOUND);
        while (ran.get() < accepted && System.nanoTime() < deadline) {
            Thread.sleep(1); // the queue drains; until then it may still be full
        }
        assertThat("every accepted task ran", ran.get(), is(accepted));
        assertThat(onLoop(loop, () -> "usable again"), is("usable again"));
        for (int i = 0; i < bound / 2; i++) {
            loop.execute(ran::incrementAndGet); // the bound counts waiting tasks, not all ever submitted
        }
        onLoop(loop, () -> null);
        assertThat(ran.get(), is(accepted + bound / 2));
    }

    /**
     * Close hooks added from another thread and from the loop thread run once each, on the
     * loop thread, in the order they were added, only after {@code close()} (called twice) and
     * with {@code isClosed()} already {@code true}; a hook added after the loop ended is
     * refused with {@link RejectedExecutionException}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
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

    /**
     * Hooks that throw an {@link IllegalStateException}, an {@link OutOfMemoryError} and a
     * real {@link StackOverflowError} each go to the exception handler, in order; {@code
     * close()} throws none of them and the last hook still runs.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
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

    /**
     * A hook cancelled before {@code close()} never runs (a second cancel returns {@code
     * false}); the other hooks run, and cancelling a hook after it ran returns {@code false}.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
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

    /**
     * While the loop closes, a task submitted before {@code close()}, and a task and a zero-
     * delay timer a hook starts on the loop thread, all run before the loop ends; a task from
     * another thread is refused with {@link RejectedExecutionException} as soon as the loop is
     * closed.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
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

    /**
     * {@code close()} called from a task runs no hook inside that task's frame: the task goes
     * on after {@code close()} returns, and the hook runs after it.
     *
     * @throws Exception if the loop fails in a way the test does not expect; the test fails
     *     with it
     */
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
}
