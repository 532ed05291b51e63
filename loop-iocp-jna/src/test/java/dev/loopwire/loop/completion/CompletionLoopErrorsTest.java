// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.UringPort;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The errors policy on the completion loop, and the bound on pending tasks. */
class CompletionLoopErrorsTest {

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
    }

    static void recurse() {
        recurse();
    }

    @Test
    void errorsFromTasksTimersAndListenersReachTheHandlerAndTheLoopGoesOn() throws Exception {
        try (CompletionLoop loop = CompletionLoop.builder().exceptionHandler(failures::add).open()) {
            loop.execute(CompletionLoopErrorsTest::recurse);
            loop.execute(() -> {
                throw new OutOfMemoryError("thrown by user code");
            });
            loop.schedule(Duration.ZERO, CompletionLoopErrorsTest::recurse);
            CountDownLatch got = new CountDownLatch(1);
            Recorder overflowing = new Recorder() {
                @Override
                void received(int result) {
                    got.countDown();
                    recurse();
                }
            };
            OnLoop.call(loop, () -> overflowing.start(loop.capability(UringPort.class).orElseThrow()));
            overflowing.poke();
            assertThat(got.await(10, TimeUnit.SECONDS), is(true));
            CompletableFuture<String> after = new CompletableFuture<>();
            loop.schedule(Duration.ofMillis(5), () -> after.complete("alive"));
            assertThat(after.get(10, TimeUnit.SECONDS), is("alive"));
            assertThat(loop.isClosed(), is(false));
            assertThat(failures.size(), is(4));
            assertThat(failures.get(0), instanceOf(StackOverflowError.class));
            assertThat(failures.get(1).getMessage(), is("thrown by user code"));
            assertThat(failures.get(2), instanceOf(StackOverflowError.class));
            assertThat(failures.get(3), instanceOf(StackOverflowError.class));
        }
    }

    @Test
    void aThrowingExceptionHandlerClosesTheLoopVisibly() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jul = Logger.getLogger(CompletionLoop.class.getName());
        jul.addHandler(capture);
        CountDownLatch release = new CountDownLatch(1);
        CompletionLoop loop = CompletionLoop.builder().exceptionHandler(t -> {
            throw new IllegalStateException("handler boom");
        }).open();
        try {
            Recorder recorder = new Recorder();
            Recorder socket = OnLoop.call(loop, () -> recorder.start(loop.capability(UringPort.class).orElseThrow()));
            List<String> hooks = new CopyOnWriteArrayList<>();
            loop.addCloseHook(() -> hooks.add("hook inLoop=" + loop.inLoop() + " open=" + socket.isOpen()));
            loop.execute(() -> {
                CompletionLoopCloseHookTest.await(release);
                throw new IllegalArgumentException("task boom");
            });
            loop.execute(() -> hooks.add("dropped 1"));
            loop.execute(() -> hooks.add("dropped 2"));
            release.countDown();
            assertThat(loop.awaitTermination(10, TimeUnit.SECONDS), is(true));
            assertThat(loop.isClosed(), is(true));
            var e = assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
            assertThat(e.getMessage(), is("Loop '" + loop.name() + "' failed (java.lang.IllegalStateException:"
                    + " handler boom) and is closed; open a new loop"));
            assertThat(hooks, contains("hook inLoop=true open=true"));
            assertThat(recorder.closedCalls, is(1));
            assertThat(loop.toString(), is(loop.name() + "[io_uring sockets=0 inflight=0 timers=0 pending=0 failed]"));
            LogRecord error = logged.stream().filter(r -> r.getLevel() == java.util.logging.Level.SEVERE)
                    .findFirst().orElseThrow();
            assertThat(error.getMessage(), is("Loop '" + loop.name()
                    + "' failed and closed itself; 2 task(s) waiting to run were dropped"));
            assertThat(error.getThrown().getMessage(), is("handler boom"));
            assertThat(error.getThrown().getSuppressed()[0].getMessage(), is("task boom"));
        } finally {
            jul.removeHandler(capture);
            loop.close();
        }
    }

    @Test
    void executePastTheBoundIsRefusedAndTheLoopStaysUsable() throws Exception {
        try (CompletionLoop loop = CompletionLoop.builder().maxPendingTasks(100).open()) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                CompletionLoopCloseHookTest.await(release);
            });
            assertThat(blocked.await(10, TimeUnit.SECONDS), is(true));
            CompletableFuture<Integer> accepted = new CompletableFuture<>();
            CompletableFuture<RejectedExecutionException> refused = new CompletableFuture<>();
            Thread producer = new Thread(() -> {
                int n = 0;
                try {
                    while (n < 1_000) {
                        loop.execute(() -> { });
                        n++;
                    }
                    accepted.complete(n);
                } catch (RejectedExecutionException e) {
                    accepted.complete(n);
                    refused.complete(e);
                }
            });
            producer.start();
            assertThat(accepted.get(10, TimeUnit.SECONDS), is(100));
            assertThat(refused.get(10, TimeUnit.SECONDS).getMessage(), is("Loop '" + loop.name() + "' already has 100"
                    + " tasks waiting to run, its bound (maxPendingTasks); submit fewer tasks at once (let the loop"
                    + " catch up), or raise the bound with CompletionLoop.builder().maxPendingTasks(n) or"
                    + " -Dloopwire.maxPendingTasks=<n>"));
            assertThrows(RejectedExecutionException.class, () -> loop.schedule(Duration.ZERO, () -> { }));
            release.countDown();
            CompletableFuture<String> after = new CompletableFuture<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!after.isDone() && System.nanoTime() < deadline) {
                try {
                    loop.execute(() -> after.complete("usable"));
                } catch (RejectedExecutionException stillFull) {
                    Thread.sleep(1);
                }
            }
            assertThat(after.get(10, TimeUnit.SECONDS), is("usable"));
            assertThat(loop.isClosed(), is(false));
        }
    }

    @Test
    void builderRejectsBadInput() {
        var e = assertThrows(IllegalArgumentException.class, () -> CompletionLoop.builder().maxPendingTasks(-1));
        assertThat(e.getMessage(), is("maxPendingTasks '-1' must be at least 1; give a bound from 1 to 2147483647"
                + " (default 1048576)"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> CompletionLoop.builder().name(" ")).getMessage(),
                is("Loop name ' ' is blank; give a name or leave the default"));
        String old = System.getProperty("loopwire.maxPendingTasks");
        try {
            System.setProperty("loopwire.maxPendingTasks", "-5");
            var p = assertThrows(IllegalArgumentException.class, CompletionLoop::open);
            assertThat(p.getMessage(), is("-Dloopwire.maxPendingTasks='-5' is not a whole number from 1 to 2147483647;"
                    + " fix the value or remove the property (default 1048576)"));
        } finally {
            if (old == null) {
                System.clearProperty("loopwire.maxPendingTasks");
            } else {
                System.setProperty("loopwire.maxPendingTasks", old);
            }
        }
        try (CompletionLoop named = CompletionLoop.builder().name("uring-worker").open()) {
            assertThat(named.name(), is("uring-worker"));
        }
    }

    @Test
    void theDefaultHandlerWordsACallbackThatThrewAsEveryLoopDoes() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jul = Logger.getLogger(CompletionLoop.class.getName());
        jul.addHandler(capture);
        try (CompletionLoop loop = CompletionLoop.open()) {
            loop.execute(() -> {
                throw new IllegalStateException("expected by the test: logged at WARNING");
            });
            CompletableFuture<String> after = new CompletableFuture<>();
            loop.execute(() -> after.complete("alive"));
            assertThat(after.get(10, java.util.concurrent.TimeUnit.SECONDS), is("alive"));
            LogRecord warning = logged.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
                    .findFirst().orElseThrow();
            assertThat(warning.getMessage(), is("A callback on loop '" + loop.name() + "' threw; the loop goes on"));
        } finally {
            jul.removeHandler(capture);
        }
    }
}
