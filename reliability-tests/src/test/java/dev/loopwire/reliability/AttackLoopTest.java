// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.await;
import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks on the {@code EventLoop} and {@code Timers} promises: Errors from every callback, an
 * exception handler that throws, close from every callback and from racing threads, absurd
 * timer delays.
 */
class AttackLoopTest {

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void errorsFromTasksTimersAndHooksReachTheHandlerAndTheLoopGoesOn(String kind) throws Exception {
        AttackSupport.Handled handled = new AttackSupport.Handled();
        EventLoop loop = AttackSupport.openWithHandler(kind, handled);
        Timers timers = loop.capability(Timers.class).orElseThrow();
        List<Throwable> thrown = List.of(AttackSupport.realStackOverflow(), new OutOfMemoryError("user OOM"),
                new NoClassDefFoundError("user LinkageError"), new ExceptionInInitializerError("user"),
                new AssertionError("user"));
        for (Throwable t : thrown) {
            loop.execute(() -> sneaky(t));
            timers.schedule(Duration.ZERO, () -> sneaky(t));
        }
        CountDownLatch after = new CountDownLatch(1);
        loop.execute(after::countDown);
        assertThat("the loop goes on after Errors from tasks and timers", after.await(10, TimeUnit.SECONDS), is(true));
        assertThat(await(() -> handled.seen.size() >= 2 * thrown.size()), is(true));
        for (Throwable t : thrown) {
            assertThat(t + " reached the handler", handled.saw(t), is(true));
        }
        Error fromHook = new StackOverflowError("from hook");
        AtomicInteger secondHook = new AtomicInteger();
        loop.addCloseHook(() -> sneaky(fromHook));
        loop.addCloseHook(secondHook::incrementAndGet);
        closeBounded(loop);
        assertThat(handled.saw(fromHook), is(true));
        assertThat("the hook after a throwing one still runs, once", secondHook.get(), is(1));
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void anExceptionHandlerThatThrowsClosesTheLoopVisibly(String kind) throws Exception {
        EventLoop loop = AttackSupport.openWithHandler(kind, t -> {
            throw new IllegalStateException("handler broke on " + t.getMessage());
        });
        AtomicInteger hooks = new AtomicInteger();
        loop.addCloseHook(hooks::incrementAndGet);
        loop.execute(() -> {
            throw new RuntimeException("boom-task");
        });
        assertThat("the loop closed itself", await(loop::isClosed), is(true));
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertThat(e.getMessage(), containsString(loop.name()));
        assertThat("execute's refusal names the cause", e.getMessage(), containsString("handler broke"));
        assertThat(await(() -> hooks.get() == 1), is(true));
        closeBounded(loop);
        assertThat("hooks ran once", hooks.get(), is(1));
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void closeFromATaskATimerAndAHookEndsTheLoopAndRunsHooksOnce(String kind) throws Exception {
        for (String from : List.of("task", "timer", "hook")) {
            EventLoop loop = AttackSupport.open(kind);
            AtomicInteger hooks = new AtomicInteger();
            AtomicReference<Throwable> escaped = new AtomicReference<>();
            loop.addCloseHook(hooks::incrementAndGet);
            Runnable closer = () -> {
                try {
                    loop.close();
                } catch (Throwable t) {
                    escaped.set(t);
                }
            };
            switch (from) {
                case "task" -> loop.execute(closer);
                case "timer" -> loop.capability(Timers.class).orElseThrow().schedule(Duration.ofMillis(1), closer);
                default -> {
                    loop.addCloseHook(closer);
                    loop.close();
                }
            }
            assertThat(from + ": loop closed", await(loop::isClosed), is(true));
            closeBounded(loop);
            assertThat(from + ": close() threw " + escaped.get(), escaped.get() == null, is(true));
            assertThat(from + ": hooks ran once", hooks.get(), is(1));
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void aTaskRacingCloseIsEitherRunOrRejectedNeverDropped(String kind) throws Exception {
        for (int round = 0; round < 20; round++) {
            EventLoop loop = AttackSupport.open(kind);
            AtomicLong accepted = new AtomicLong();
            AtomicLong ran = new AtomicLong();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Void>> submitters = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                submitters.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 20_000; i++) {
                        try {
                            loop.execute(ran::incrementAndGet);
                            accepted.incrementAndGet();
                        } catch (RejectedExecutionException e) {
                            return;
                        }
                    }
                }));
            }
            start.countDown();
            Thread.sleep(round % 5);
            closeBounded(loop);
            for (CompletableFuture<Void> f : submitters) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat("round " + round + ": every accepted task ran", ran.get(), is(accepted.get()));
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void absurdTimerDelaysAreAcceptedAndNullIsRefused(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            Timers timers = loop.capability(Timers.class).orElseThrow();
            for (Duration d : List.of(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), Duration.ofNanos(Long.MAX_VALUE),
                    Duration.ofDays(365L * 10_000))) {
                // From another thread and from the loop thread: never an ArithmeticException.
                Timers.Timeout t = timers.schedule(d, () -> { });
                assertThat(t.cancel(), is(true));
                Timers.Timeout onLoop = AttackSupport.onLoop(loop, () -> timers.schedule(d, () -> { }));
                assertThat(onLoop.isCancelled(), is(false));
            }
            CountDownLatch ran = new CountDownLatch(2);
            timers.schedule(Duration.ofSeconds(Long.MIN_VALUE), ran::countDown);
            timers.schedule(Duration.ofNanos(-1), ran::countDown);
            assertThat("hugely negative delays run on the next turn", ran.await(10, TimeUnit.SECONDS), is(true));
            assertThrows(NullPointerException.class, () -> timers.schedule(null, () -> { }));
            assertThrows(NullPointerException.class, () -> timers.schedule(Duration.ZERO, null));
            assertThrows(NullPointerException.class, () -> loop.execute(null));
            assertThrows(NullPointerException.class, () -> loop.addCloseHook(null));
            CountDownLatch still = new CountDownLatch(1);
            loop.execute(still::countDown);
            assertThat("the loop stays usable after bad input", still.await(10, TimeUnit.SECONDS), is(true));
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void aHookAddedFromAnotherThreadAfterCloseIsRefusedAndOneAddedByAHookRuns(String kind) throws Exception {
        EventLoop loop = AttackSupport.open(kind);
        AtomicInteger inner = new AtomicInteger();
        CountDownLatch hookRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.addCloseHook(() -> {
            loop.addCloseHook(inner::incrementAndGet);
            hookRunning.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Void> closing = CompletableFuture.runAsync(loop::close);
        assertThat(hookRunning.await(10, TimeUnit.SECONDS), is(true));
        assertThrows(RejectedExecutionException.class, () -> loop.addCloseHook(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        release.countDown();
        closing.get(15, TimeUnit.SECONDS);
        assertThat(inner.get(), is(1));
        assertThrows(RejectedExecutionException.class, () -> loop.addCloseHook(() -> { }));
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void cancelRacingTheTimerEitherPreventsItOrItRanNeverBoth(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            Timers timers = loop.capability(Timers.class).orElseThrow();
            int n = 20_000;
            AtomicInteger ran = new AtomicInteger();
            List<Timers.Timeout> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(timers.schedule(Duration.ofNanos(i % 3 == 0 ? 0 : 1000 * (i % 50)), ran::incrementAndGet));
            }
            int cancelled = 0;
            for (Timers.Timeout t : all) {
                if (t.cancel()) {
                    cancelled++;
                    assertThat(t.isCancelled(), is(true));
                }
            }
            CountDownLatch drained = new CountDownLatch(1);
            timers.schedule(Duration.ofMillis(20), drained::countDown);
            assertThat(drained.await(10, TimeUnit.SECONDS), is(true));
            assertThat("ran " + ran + " + cancelled " + cancelled, ran.get() + cancelled, is(n));
            int already = cancelled;
            assertThat("a second cancel never reports success", all.stream().filter(Timers.Timeout::cancel).count(), is(0L));
            assertThat(already, is(cancelled));
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void pastTheTaskBoundExecuteRejectsNamingTheBoundAndTheLoopStaysUsable(String kind) throws Exception {
        Class<?> type;
        try (EventLoop probe = AttackSupport.open(kind)) {
            type = probe.getClass();
        }
        Object builder = type.getMethod("builder").invoke(null);
        builder.getClass().getMethod("maxPendingTasks", int.class).invoke(builder, 8);
        try (EventLoop loop = (EventLoop) builder.getClass().getMethod("open").invoke(builder)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(blocked.await(10, TimeUnit.SECONDS), is(true));
            AtomicInteger ran = new AtomicInteger();
            int accepted = 0;
            RejectedExecutionException refused = null;
            for (int i = 0; i < 100; i++) {
                try {
                    loop.execute(ran::incrementAndGet);
                    accepted++;
                } catch (RejectedExecutionException e) {
                    refused = e;
                }
            }
            assertThat("a refusal past the bound", refused != null, is(true));
            assertThat(refused.getMessage(), containsString("8"));
            assertThat(accepted <= 8, is(true));
            release.countDown();
            int want = accepted;
            assertThat(await(() -> ran.get() == want), is(true));
            CountDownLatch after = new CountDownLatch(1);
            loop.execute(after::countDown);
            assertThat(after.await(10, TimeUnit.SECONDS), is(true));
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void closeFromManyThreadsAtOnceReturnsEverywhereOnlyOnceTheLoopEnded(String kind) throws Exception {
        for (int round = 0; round < 10; round++) {
            EventLoop loop = AttackSupport.open(kind);
            AtomicInteger hooks = new AtomicInteger();
            AtomicInteger lateTask = new AtomicInteger();
            loop.addCloseHook(() -> {
                hooks.incrementAndGet();
                // work a hook starts: the loop must run it before close() returns anywhere
                loop.capability(Timers.class).orElseThrow().schedule(Duration.ofMillis(30), lateTask::incrementAndGet);
            });
            java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(4);
            List<CompletableFuture<Integer>> closers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                closers.add(CompletableFuture.supplyAsync(() -> {
                    AttackTcpTest.barrier(go);
                    loop.close();
                    return lateTask.get();
                }));
            }
            for (CompletableFuture<Integer> f : closers) {
                assertThat("round " + round + ": close() returned before the hook's timer ran", f.get(15, TimeUnit.SECONDS), is(1));
            }
            assertThat(hooks.get(), is(1));
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void aHookAcceptedWhileTheLoopClosesRunsOnceAndACancelledOneNever(String kind) throws Exception {
        for (int round = 0; round < 10; round++) {
            EventLoop loop = AttackSupport.open(kind);
            // Each hook accepted: its run count, and whether a cancel() reported success.
            List<AtomicInteger> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Boolean> cancelled = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicInteger doubleCancel = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Void>> adders = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                adders.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 2_000; i++) {
                        AtomicInteger n = new AtomicInteger();
                        EventLoop.CloseHook h;
                        try {
                            h = loop.addCloseHook(n::incrementAndGet);
                        } catch (RejectedExecutionException e) {
                            return;
                        }
                        boolean c = i % 2 == 0 && h.cancel();
                        boolean second = i % 2 == 0 && h.cancel(); // after a successful cancel: must be false
                        if (c && second) {
                            doubleCancel.incrementAndGet();
                        }
                        synchronized (runs) {
                            runs.add(n);
                            cancelled.add(c || second);
                        }
                    }
                }));
            }
            start.countDown();
            Thread.sleep(round % 3);
            closeBounded(loop);
            for (CompletableFuture<Void> f : adders) {
                f.get(10, TimeUnit.SECONDS);
            }
            int wrong = 0;
            for (int i = 0; i < runs.size(); i++) {
                int want = cancelled.get(i) ? 0 : 1;
                if (runs.get(i).get() != want) {
                    wrong++;
                }
            }
            assertThat("round " + round + ": hooks of " + runs.size() + " that ran other than once (or ran though cancelled)",
                    wrong, is(0));
            assertThat("a second cancel reported success", doubleCancel.get(), is(0));
        }
    }

    @org.junit.jupiter.api.Test
    void theDefaultLoopReopenedFromManyThreadsAtOnceIsOneLoop() throws Exception {
        for (int round = 0; round < 10; round++) {
            dev.loopwire.loop.EventLoops.defaultLoop().close();
            java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(6);
            List<CompletableFuture<EventLoop>> callers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                callers.add(CompletableFuture.supplyAsync(() -> {
                    AttackTcpTest.barrier(go);
                    return dev.loopwire.loop.EventLoops.defaultLoop();
                }));
            }
            java.util.Set<EventLoop> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (CompletableFuture<EventLoop> f : callers) {
                seen.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat("round " + round + ": loops handed out as the default " + seen, seen.size(), is(1));
            assertThat(seen.iterator().next().isClosed(), is(false));
        }
        dev.loopwire.loop.EventLoops.defaultLoop().close();
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
