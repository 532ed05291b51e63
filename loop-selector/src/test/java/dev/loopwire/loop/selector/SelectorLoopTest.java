// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SelectorLoopTest {

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final SelectorLoop loop = SelectorLoop.builder().exceptionHandler(failures::add).open();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    @Test
    void nameIsNumberedAndThreadIsNamedAfterIt() throws Exception {
        assertThat(loop.name(), matchesPattern("selector-\\d+"));
        CompletableFuture<String> thread = new CompletableFuture<>();
        loop.execute(() -> thread.complete(Thread.currentThread().getName()));
        assertThat(thread.get(10, SECONDS), is(loop.name()));
        try (SelectorLoop other = SelectorLoop.open()) {
            int a = Integer.parseInt(loop.name().substring("selector-".length()));
            int b = Integer.parseInt(other.name().substring("selector-".length()));
            assertTrue(b > a, other.name() + " after " + loop.name());
        }
    }

    @Test
    void capabilitiesAreFdReadinessAndTimers() {
        assertThat(loop.capabilities(), is(java.util.Set.of(FdReadiness.class, Timers.class)));
        assertTrue(loop.capability(FdReadiness.class).isPresent());
        assertTrue(loop.capability(Timers.class).isPresent());
        assertThat(loop.capability(dev.loopwire.loop.UringPort.class), is(Optional.empty()));
    }

    @Test
    void currentLoopIsSetOnTheLoopThreadOnly() throws Exception {
        CompletableFuture<Optional<EventLoop>> current = new CompletableFuture<>();
        CompletableFuture<Boolean> inLoop = new CompletableFuture<>();
        loop.execute(() -> {
            current.complete(EventLoops.current());
            inLoop.complete(loop.inLoop());
        });
        assertThat(current.get(10, SECONDS), is(Optional.of(loop)));
        assertThat(inLoop.get(10, SECONDS), is(true));
        assertThat(loop.inLoop(), is(false));
        assertThat(EventLoops.current(), is(Optional.empty()));
    }

    @Test
    void timersRunInDeadlineOrderAndFifoForEqualDeadlines() throws Exception {
        // A negative delay counts as zero, so a0 (scheduled after a1) runs after it.
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch scheduled = new CountDownLatch(1);
        Timers timers = loop.capability(Timers.class).orElseThrow();
        // Scheduled from the loop thread in one task, so "same deadline" is exact.
        loop.execute(() -> {
            timers.schedule(Duration.ofMillis(60), () -> order.add("c"));
            timers.schedule(Duration.ofMillis(60), () -> {
                order.add("d");
                done.countDown();
            });
            timers.schedule(Duration.ofMillis(20), () -> order.add("b"));
            timers.schedule(Duration.ZERO, () -> order.add("a1"));
            timers.schedule(Duration.ofMillis(-5), () -> order.add("a0"));
            scheduled.countDown();
        });
        assertTrue(scheduled.await(10, SECONDS));
        assertTrue(done.await(10, SECONDS));
        assertThat(order, contains("a1", "a0", "b", "c", "d"));
    }

    @Test
    void timersWithTheSameZeroDelayFromAnotherThreadRunInScheduleOrder() throws Exception {
        Timers timers = loop.capability(Timers.class).orElseThrow();
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            int n = i;
            timers.schedule(Duration.ZERO, () -> {
                order.add(n);
                done.countDown();
            });
        }
        assertTrue(done.await(10, SECONDS));
        for (int i = 0; i < 100; i++) {
            assertThat(order.get(i), is(i));
        }
    }

    @Test
    void cancelledTimerDoesNotRun() throws Exception {
        Timers timers = loop.capability(Timers.class).orElseThrow();
        List<String> ran = new CopyOnWriteArrayList<>();
        Timers.Timeout cancelled = timers.schedule(Duration.ofMillis(30), () -> ran.add("cancelled"));
        CountDownLatch later = new CountDownLatch(1);
        Timers.Timeout kept = timers.schedule(Duration.ofMillis(80), () -> {
            ran.add("kept");
            later.countDown();
        });
        assertThat(cancelled.cancel(), is(true));
        assertThat(cancelled.cancel(), is(false));
        assertThat(cancelled.isCancelled(), is(true));
        assertTrue(later.await(10, SECONDS));
        assertThat(ran, contains("kept"));
        assertThat(kept.cancel(), is(false));
        assertThat(kept.isCancelled(), is(false));
    }

    @Test
    void farTimerDoesNotDelayTasksAndIsCountedInToString() throws Exception {
        Timers timers = loop.capability(Timers.class).orElseThrow();
        Timers.Timeout t = timers.schedule(Duration.ofHours(1), () -> { });
        CompletableFuture<String> state = new CompletableFuture<>();
        loop.execute(() -> state.complete(loop.toString()));
        assertThat(state.get(10, SECONDS), is(loop.name() + "[channels=0 timers=1 pending=0]"));
        t.cancel();
        assertThat(loop.toString(), is(loop.name() + "[channels=0 timers=0 pending=0]"));
    }

    @Test
    void tasksFromManyThreadsKeepEachThreadsOrder() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            seen.add(new ArrayList<>());
        }
        CountDownLatch done = new CountDownLatch(threads * perThread);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Integer> mine = seen.get(t);
            Thread p = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    // Only the loop thread touches 'mine'.
                    loop.execute(() -> {
                        mine.add(n);
                        done.countDown();
                    });
                }
            });
            producers.add(p);
            p.start();
        }
        for (Thread p : producers) {
            p.join(10_000);
        }
        assertTrue(done.await(10, SECONDS));
        CompletableFuture<List<List<Integer>>> snapshot = new CompletableFuture<>();
        loop.execute(() -> snapshot.complete(seen));
        for (List<Integer> mine : snapshot.get(10, SECONDS)) {
            assertThat(mine.size(), is(perThread));
            for (int i = 0; i < perThread; i++) {
                assertThat(mine.get(i), is(i));
            }
        }
    }

    @Test
    void aBurstOfTasksWakesTheSelectorAtMostOnce() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            await(release);
        });
        assertTrue(blocked.await(10, SECONDS));
        int before = loop.wakeups();
        CountDownLatch ran = new CountDownLatch(1000);
        for (int i = 0; i < 1000; i++) {
            loop.execute(ran::countDown);
        }
        release.countDown();
        assertTrue(ran.await(10, SECONDS));
        // The loop was awake (running the blocking task) during the whole burst. (On an idle loop
        // the count depends on how the scheduler interleaves producer and loop: one wake-up per
        // task is correct if the loop drains each task before the next arrives, so it is not
        // asserted.)
        assertThat(loop.wakeups() - before, is(0));
    }

    @Test
    void anInterruptOfTheLoopThreadIsClearedAndTheLoopGoesOn() throws Exception {
        CompletableFuture<Boolean> stillSet = new CompletableFuture<>();
        loop.execute(() -> Thread.currentThread().interrupt());
        loop.capability(Timers.class).orElseThrow().schedule(Duration.ofMillis(20),
                () -> stillSet.complete(Thread.currentThread().isInterrupted()));
        assertThat(stillSet.get(10, SECONDS), is(false));
    }

    @Test
    void closeRunsPendingTasksThenRejects() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        loop.execute(() -> {
            blocked.countDown();
            await(release);
        });
        assertTrue(blocked.await(10, SECONDS));
        for (int i = 0; i < 10; i++) {
            int n = i;
            loop.execute(() -> ran.add(n));
        }
        Thread closer = new Thread(loop::close);
        closer.start();
        while (!loop.isClosed()) {
            Thread.onSpinWait();
        }
        var e = assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertThat(e.getMessage(), is("Loop '" + loop.name() + "' is closed and accepts no more tasks;"
                + " open a new loop or submit work before close()"));
        assertThrows(RejectedExecutionException.class,
                () -> loop.capability(Timers.class).orElseThrow().schedule(Duration.ZERO, () -> { }));
        release.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive(), is(false));
        assertThat(ran, contains(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertThat(loop.toString(), is(loop.name() + "[channels=0 timers=0 pending=0 closed]"));
        loop.close(); // second close is a no-op
    }

    @Test
    void closeFromACallbackReturnsAndTheLoopEndsAfterIt() throws Exception {
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        CompletableFuture<String> after = new CompletableFuture<>();
        List<String> ran = new CopyOnWriteArrayList<>();
        loop.execute(() -> {
            loopThread.set(Thread.currentThread());
            loop.execute(() -> ran.add("submitted before close"));
            loop.close();
            after.complete("returned");
        });
        assertThat(after.get(10, SECONDS), is("returned"));
        loopThread.get().join(10_000);
        assertThat(loopThread.get().isAlive(), is(false));
        assertThat(ran, contains("submitted before close"));
        assertThat(loop.isClosed(), is(true));
    }

    @Test
    void throwingCallbacksReachTheHandlerAndTheLoopGoesOn() throws Exception {
        loop.execute(() -> {
            throw new IllegalStateException("task boom");
        });
        loop.capability(Timers.class).orElseThrow().schedule(Duration.ZERO, () -> {
            throw new IllegalArgumentException("timer boom");
        });
        CompletableFuture<String> after = new CompletableFuture<>();
        loop.capability(Timers.class).orElseThrow().schedule(Duration.ofMillis(5), () -> after.complete("alive"));
        assertThat(after.get(10, SECONDS), is("alive"));
        assertThat(failures.size(), is(2));
        assertThat(failures.get(0).getMessage(), is("task boom"));
        assertThat(failures.get(1).getMessage(), is("timer boom"));
    }

    @Test
    void defaultHandlerLogsAndTheLoopGoesOn() throws Exception {
        try (SelectorLoop plain = SelectorLoop.open()) {
            plain.execute(() -> {
                throw new IllegalStateException("expected by the test: logged at WARNING");
            });
            CompletableFuture<String> after = new CompletableFuture<>();
            plain.execute(() -> after.complete("alive"));
            assertThat(after.get(10, SECONDS), is("alive"));
        }
    }

    @Test
    void builderRejectsBadInput() {
        assertThat(assertThrows(NullPointerException.class, () -> SelectorLoop.builder().name(null)).getMessage(),
                is("name"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> SelectorLoop.builder().name(" ")).getMessage(),
                is("Loop name ' ' is blank; give a name or leave the default"));
        assertThat(assertThrows(NullPointerException.class, () -> loop.execute(null)).getMessage(), is("task"));
    }

    @Test
    void customNameAndDaemonThreadFactory() throws Exception {
        try (SelectorLoop named = SelectorLoop.builder().name("worker-a").threadFactory(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }).open()) {
            CompletableFuture<Thread> thread = new CompletableFuture<>();
            named.execute(() -> thread.complete(Thread.currentThread()));
            assertThat(thread.get(10, SECONDS).getName(), is("worker-a"));
            assertThat(thread.get(10, SECONDS).isDaemon(), is(true));
            assertThat(named.toString(), is("worker-a[channels=0 timers=0 pending=0]"));
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(10, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
