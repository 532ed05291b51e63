// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.completion.internal.CompletionBackend;
import dev.loopwire.loop.completion.internal.uring.UringBackend;
import java.io.IOException;
import java.net.ProtocolFamily;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.UringPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CompletionLoopTest {

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
    }

    @Test
    void describesItself() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open()) {
            assertThat(loop.name(), matchesPattern("completion-\\d+"));
            assertThat(loop.capabilities(), is(Set.of(Timers.class, UringPort.class)));
            assertThat(loop.capability(Timers.class).orElseThrow(), sameInstance(loop));
            assertThat(loop.capability(Timers.class).orElseThrow(), sameInstance(loop));
            assertThat(loop.capability(FdReadiness.class), is(Optional.empty()));
            assertThat(loop.inLoop(), is(false));
            assertThat(OnLoop.call(loop, loop::inLoop), is(true));
            assertThat(OnLoop.call(loop, () -> EventLoops.current().orElseThrow()), sameInstance(loop));
            assertThat(OnLoop.call(loop, () -> Thread.currentThread().getName()), is(loop.name()));
            assertThat(loop.toString(), is(loop.name() + "[io_uring sockets=0 inflight=0 timers=0 pending=0]"));
            assertThat(loop.isClosed(), is(false));
        }
    }

    @Test
    void runsTasksInSubmissionOrderPerThread() throws Exception {
        int threads = 4;
        int perThread = 10_000;
        try (CompletionLoop loop = CompletionLoop.open()) {
            List<int[]> seen = new ArrayList<>(); // touched on the loop thread only
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread producer = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        int seq = i;
                        loop.execute(() -> seen.add(new int[] {thread, seq}));
                    }
                });
                producer.start();
                producers.add(producer);
            }
            start.countDown();
            for (Thread producer : producers) {
                producer.join(10_000);
            }
            List<int[]> all = OnLoop.call(loop, () -> new ArrayList<>(seen));
            assertThat(all.size(), is(threads * perThread));
            int[] next = new int[threads];
            for (int[] entry : all) {
                assertThat(entry[1], is(next[entry[0]]));
                next[entry[0]]++;
            }
        }
    }

    @Test
    void aBatchOfTasksFromAnotherThreadCostsOneWakeUp() throws Exception {
        AtomicInteger wakeups = new AtomicInteger();
        UringBackend uring = new UringBackend();
        CompletionBackend counting = new CompletionBackend() {
            @Override
            public String name() {
                return uring.name();
            }

            @Override
            public void await(long timeoutNanos) throws IOException {
                uring.await(timeoutNanos);
            }

            @Override
            public void wakeup() {
                wakeups.incrementAndGet();
                uring.wakeup();
            }

            @Override
            public int sockets() {
                return uring.sockets();
            }

            @Override
            public int inflight() {
                return uring.inflight();
            }

            @Override
            public void close() {
                uring.close();
            }
        };
        try (CompletionLoop loop = CompletionLoop.start(counting, Thread::new)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                started.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS), is(true));
            assertThat(wakeups.get(), is(1));
            CountDownLatch ran = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                loop.execute(ran::countDown);
            }
            release.countDown();
            assertThat(ran.await(10, TimeUnit.SECONDS), is(true));
            assertThat("one wake-up for the blocking task, one for the batch of 1000", wakeups.get(), is(2));
        }
    }

    @Test
    @SuppressWarnings("removal") // tests the deprecated per-instance setter until it is removed
    void aThrowingTaskGoesToTheHandlerAndTheLoopGoesOn() throws Exception {
        List<Throwable> handled = new CopyOnWriteArrayList<>();
        try (CompletionLoop loop = CompletionLoop.open().exceptionHandler(handled::add)) {
            loop.execute(() -> {
                throw new IllegalStateException("boom");
            });
            assertThat(OnLoop.call(loop, () -> "still running"), is("still running"));
            assertThat(handled.size(), is(1));
            assertThat(handled.get(0).getMessage(), is("boom"));
            loop.exceptionHandler(null); // the default logs a WARNING; the loop still goes on
            loop.execute(() -> {
                throw new IllegalStateException("logged, not handled");
            });
            assertThat(OnLoop.call(loop, () -> "still running"), is("still running"));
            assertThat(handled.size(), is(1));
        }
    }

    @Test
    void closeRunsWhatWasSubmittedThenRejects() throws Exception {
        CompletionLoop loop = CompletionLoop.open();
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 100; i++) {
            loop.execute(ran::incrementAndGet);
        }
        Thread closer = new Thread(loop::close);
        closer.start();
        while (!loop.isClosed()) {
            Thread.sleep(1);
        }
        RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertThat(rejected.getMessage(), is("Loop '" + loop.name() + "' is closed and accepts no more tasks;"
                + " open a new loop or submit work before close()"));
        assertThrows(RejectedExecutionException.class, () -> loop.schedule(Duration.ZERO, () -> { }));
        gate.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive(), is(false));
        assertThat(ran.get(), is(100));
        assertThat(loop.awaitTermination(0, TimeUnit.SECONDS), is(true));
        loop.close(); // a second close is a no-op
        assertThat(loop.isClosed(), is(true));
    }

    @Test
    void closeFromACallbackEndsTheLoopAfterTheCallback() throws Exception {
        CompletionLoop loop = CompletionLoop.open();
        CompletableFuture<String> afterClose = new CompletableFuture<>();
        CompletableFuture<String> ran = new CompletableFuture<>();
        loop.execute(() -> {
            loop.close();
            try {
                // While the loop closes, its own thread may still hand work over (a close hook
                // finishing a flush, say); other threads are refused.
                loop.execute(() -> ran.complete("ran"));
                afterClose.complete("accepted");
            } catch (RejectedExecutionException e) {
                afterClose.complete("rejected");
            }
        });
        assertThat(afterClose.get(10, TimeUnit.SECONDS), is("accepted"));
        assertThat(ran.get(10, TimeUnit.SECONDS), is("ran"));
        assertThat(loop.awaitTermination(10, TimeUnit.SECONDS), is(true));
        loop.close();
    }

    @Test
    void timersRunInDeadlineOrderAndCancelledOnesDoNot() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open()) {
            List<String> order = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            loop.schedule(Duration.ofMillis(60), () -> {
                order.add("60");
                done.countDown();
            });
            loop.schedule(Duration.ofMillis(20), () -> order.add("20a"));
            Timers.Timeout cancelled = loop.schedule(Duration.ofMillis(30), () -> order.add("30"));
            loop.schedule(Duration.ofMillis(20), () -> order.add("20b"));
            loop.schedule(Duration.ofMillis(-5), () -> order.add("now"));
            assertThat(cancelled.cancel(), is(true));
            assertThat(cancelled.isCancelled(), is(true));
            assertThat(cancelled.cancel(), is(false));
            assertThat(done.await(10, TimeUnit.SECONDS), is(true));
            assertThat(order, contains("now", "20a", "20b", "60"));
            CountDownLatch zero = new CountDownLatch(1);
            Timers.Timeout ran = OnLoop.call(loop, () -> loop.schedule(Duration.ZERO, () -> {
                order.add("zero");
                zero.countDown();
            }));
            assertThat(zero.await(10, TimeUnit.SECONDS), is(true));
            assertThat(order.get(order.size() - 1), is("zero"));
            assertThat(ran.cancel(), is(false));
            assertThat(ran.isCancelled(), is(false));
            assertThat(loop.toString(), matchesPattern("completion-\\d+\\[io_uring sockets=0 inflight=0 timers=0 pending=\\d\\]"));
        }
    }

    @Test
    void pendingTimersAreCancelledByClose() throws Exception {
        CompletionLoop loop = CompletionLoop.open();
        AtomicInteger ran = new AtomicInteger();
        Timers.Timeout later = loop.schedule(Duration.ofHours(1), ran::incrementAndGet);
        OnLoop.call(loop, () -> null);
        assertThat(loop.toString(), is(loop.name() + "[io_uring sockets=0 inflight=0 timers=1 pending=0]"));
        loop.close();
        assertThat(later.isCancelled(), is(true));
        assertThat(ran.get(), is(0));
    }
}
