// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The errors policy on the selector loop, and the bound on pending tasks. */
class SelectorLoopErrorsTest {

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    static void recurse() {
        recurse();
    }

    @Test
    void errorsFromTasksTimersAndReadinessHandlersReachTheHandlerAndTheLoopGoesOn() throws Exception {
        try (SelectorLoop loop = SelectorLoop.builder().exceptionHandler(failures::add).open();
                DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                DatagramChannel client = DatagramChannel.open()) {
            loop.execute(SelectorLoopErrorsTest::recurse);
            loop.execute(() -> {
                throw new OutOfMemoryError("thrown by user code");
            });
            loop.capability(Timers.class).orElseThrow().schedule(Duration.ZERO, SelectorLoopErrorsTest::recurse);
            ch.configureBlocking(false);
            CountDownLatch handled = new CountDownLatch(1);
            loop.execute(() -> {
                try {
                    loop.capability(FdReadiness.class).orElseThrow().register(ch, SelectionKey.OP_READ, (r, ops) -> {
                        try {
                            ((DatagramChannel) r.channel()).receive(ByteBuffer.allocate(16));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        handled.countDown();
                        recurse();
                    });
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            client.send(ByteBuffer.wrap(new byte[] {1}), ch.getLocalAddress());
            assertThat(handled.await(10, SECONDS), is(true));
            CompletableFuture<String> after = new CompletableFuture<>();
            loop.capability(Timers.class).orElseThrow().schedule(Duration.ofMillis(5), () -> after.complete("alive"));
            assertThat(after.get(10, SECONDS), is("alive"));
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
        Logger jul = Logger.getLogger(SelectorLoop.class.getName());
        jul.addHandler(capture);
        CountDownLatch release = new CountDownLatch(1);
        SelectorLoop loop = SelectorLoop.builder().exceptionHandler(t -> {
            throw new IllegalStateException("handler boom");
        }).open();
        try (DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            ch.configureBlocking(false);
            List<String> hooks = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> registered = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    loop.capability(FdReadiness.class).orElseThrow().register(ch, SelectionKey.OP_READ, (r, o) -> { });
                    registered.complete(null);
                } catch (java.io.IOException e) {
                    registered.completeExceptionally(e);
                }
            });
            registered.get(10, SECONDS);
            loop.addCloseHook(() -> hooks.add("hook inLoop=" + loop.inLoop() + " open=" + ch.isOpen()));
            loop.execute(() -> {
                SelectorLoopTest.await(release);
                throw new IllegalArgumentException("task boom");
            });
            loop.execute(() -> hooks.add("dropped 1"));
            loop.execute(() -> hooks.add("dropped 2"));
            release.countDown();
            long deadline = System.nanoTime() + SECONDS.toNanos(10);
            while (!loop.toString().endsWith(" failed]") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(loop.isClosed(), is(true));
            var e = assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
            assertThat(e.getMessage(), is("Loop '" + loop.name() + "' failed (java.lang.IllegalStateException:"
                    + " handler boom) and is closed; open a new loop"));
            assertThat(hooks, contains("hook inLoop=true open=true"));
            assertThat(ch.isOpen(), is(false));
            loop.close(); // returns: the thread has ended
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
        try (SelectorLoop loop = SelectorLoop.builder().maxPendingTasks(100).open()) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                SelectorLoopTest.await(release);
            });
            assertThat(blocked.await(10, SECONDS), is(true));
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
            assertThat(accepted.get(10, SECONDS), is(100));
            assertThat(refused.get(10, SECONDS).getMessage(), is("Loop '" + loop.name() + "' already has 100 tasks"
                    + " waiting to run, its bound (maxPendingTasks); submit fewer tasks at once (let the loop catch up),"
                    + " or raise the bound with SelectorLoop.builder().maxPendingTasks(n) or -Dloopwire.maxPendingTasks=<n>"));
            assertThrows(RejectedExecutionException.class,
                    () -> loop.capability(Timers.class).orElseThrow().schedule(Duration.ZERO, () -> { }));
            release.countDown();
            CompletableFuture<String> after = new CompletableFuture<>();
            long deadline = System.nanoTime() + SECONDS.toNanos(10);
            while (!after.isDone() && System.nanoTime() < deadline) {
                try {
                    loop.execute(() -> after.complete("usable"));
                } catch (RejectedExecutionException stillFull) {
                    Thread.sleep(1);
                }
            }
            assertThat(after.get(10, SECONDS), is("usable"));
            assertThat(loop.isClosed(), is(false));
        }
    }

    @Test
    void theBoundComesFromThePropertyAndBadValuesAreRefused() {
        String old = System.getProperty("loopwire.maxPendingTasks");
        try {
            System.setProperty("loopwire.maxPendingTasks", "lots");
            var e = assertThrows(IllegalArgumentException.class, SelectorLoop::open);
            assertThat(e.getMessage(), is("-Dloopwire.maxPendingTasks='lots' is not a whole number from 1 to 2147483647;"
                    + " fix the value or remove the property (default 1048576)"));
            System.setProperty("loopwire.maxPendingTasks", "0");
            assertThrows(IllegalArgumentException.class, SelectorLoop::open);
            // The builder's value wins over the property.
            SelectorLoop.builder().maxPendingTasks(5).open().close();
        } finally {
            if (old == null) {
                System.clearProperty("loopwire.maxPendingTasks");
            } else {
                System.setProperty("loopwire.maxPendingTasks", old);
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> SelectorLoop.builder().maxPendingTasks(0));
        assertThat(e.getMessage(), is("maxPendingTasks '0' must be at least 1; give a bound from 1 to 2147483647"
                + " (default 1048576)"));
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
        Logger jul = Logger.getLogger(SelectorLoop.class.getName());
        jul.addHandler(capture);
        try (SelectorLoop loop = SelectorLoop.open()) {
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
