// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.EventLoop;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loop close hook on the completion loop: order, thread, errors, work finished while closing. */
class CompletionLoopCloseHookTest {

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
    }

    private CompletionLoop open() {
        return CompletionLoop.builder().exceptionHandler(failures::add).open();
    }

    @Test
    void hooksRunOnceOnTheLoopThreadInOrderBeforeTheLoopClosesItsSockets() throws Exception {
        CompletionLoop loop = open();
        Recorder recorder = new Recorder();
        Recorder socket = OnLoop.call(loop, () -> recorder.start(loop.capability(UringPort.class).orElseThrow()));
        loop.addCloseHook(() -> events.add("a inLoop=" + loop.inLoop() + " open=" + socket.isOpen()));
        EventLoop.CloseHook cancelled = loop.addCloseHook(() -> events.add("cancelled"));
        loop.addCloseHook(() -> events.add("b closed=" + loop.isClosed()));
        assertThat(cancelled.cancel(), is(true));
        assertThat(cancelled.cancel(), is(false));
        assertThat(events.isEmpty(), is(true));
        loop.close();
        loop.close();
        assertThat(events, contains("a inLoop=true open=true", "b closed=true"));
        assertThat(recorder.closedCalls, is(1));
        assertThat(failures.isEmpty(), is(true));
    }

    @Test
    void aHookThatThrowsReachesTheHandlerAndTheOtherHooksStillRun() {
        CompletionLoop loop = open();
        loop.addCloseHook(CompletionLoopCloseHookTest::recurse);
        loop.addCloseHook(() -> {
            loop.close(); // a second close inside a hook is a no-op
            throw new IllegalStateException("hook boom");
        });
        loop.addCloseHook(() -> events.add("last"));
        loop.close(); // must not throw what the hooks threw
        assertThat(events, contains("last"));
        assertThat(failures.size(), is(2));
        assertThat(failures.get(0), instanceOf(StackOverflowError.class));
        assertThat(failures.get(1).getMessage(), is("hook boom"));
    }

    @Test
    void hooksMayFinishTheirWorkWithTasksAndTimers() {
        CompletionLoop loop = open();
        loop.addCloseHook(() -> {
            loop.execute(() -> events.add("task"));
            loop.schedule(Duration.ofMillis(20), () -> loop.execute(() -> events.add("timer, then task")));
        });
        loop.close();
        assertThat(events, contains("task", "timer, then task"));
        assertThat(failures.isEmpty(), is(true));
    }

    @Test
    void aHookAddedWhileTheLoopClosesRunsOnTheLoopThreadAndOneFromAnotherThreadIsRefused() throws Exception {
        CompletionLoop loop = open();
        CompletableFuture<RejectedExecutionException> refused = new CompletableFuture<>();
        loop.addCloseHook(() -> {
            loop.addCloseHook(() -> events.add("added by a hook inLoop=" + loop.inLoop()));
            Thread other = new Thread(() -> {
                try {
                    loop.addCloseHook(() -> events.add("from another thread"));
                    refused.complete(null);
                } catch (RejectedExecutionException e) {
                    refused.complete(e);
                }
            });
            other.start();
            try {
                other.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        loop.close();
        assertThat(events, contains("added by a hook inLoop=true"));
        assertThat(refused.get(10, TimeUnit.SECONDS).getMessage(), is("Loop '" + loop.name()
                + "' is closed and accepts no more tasks; open a new loop or submit work before close()"));
        assertThrows(RejectedExecutionException.class, () -> loop.addCloseHook(() -> { }));
    }

    @Test
    void tasksSubmittedBeforeCloseRunBeforeTheHooks() throws Exception {
        CompletionLoop loop = open();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            await(release);
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS), is(true));
        loop.execute(() -> events.add("task"));
        loop.addCloseHook(() -> events.add("hook"));
        Thread closer = new Thread(loop::close);
        closer.start();
        while (!loop.isClosed()) {
            Thread.onSpinWait();
        }
        release.countDown();
        closer.join(10_000);
        assertThat(events, contains("task", "hook"));
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void recurse() {
        recurse();
    }
}
