// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop close hook on the selector loop: order, thread, errors, work finished while closing. */
class SelectorLoopCloseHookTest {

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final SelectorLoop loop = SelectorLoop.builder().exceptionHandler(failures::add).open();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private FdReadiness.Registration registered(int ops, FdReadiness.ReadyHandler handler) throws Exception {
        DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        ch.configureBlocking(false);
        CompletableFuture<FdReadiness.Registration> reg = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                reg.complete(loop.capability(FdReadiness.class).orElseThrow().register(ch, ops, handler));
            } catch (Exception e) {
                reg.completeExceptionally(e);
            }
        });
        return reg.get(10, SECONDS);
    }

    @Test
    void hooksRunOnceOnTheLoopThreadInOrderBeforeTheLoopClosesItsChannels() throws Exception {
        var ch = registered(SelectionKey.OP_READ, (r, ops) -> { }).channel();
        loop.addCloseHook(() -> events.add("a inLoop=" + loop.inLoop() + " open=" + ch.isOpen()));
        EventLoop.CloseHook cancelled = loop.addCloseHook(() -> events.add("cancelled"));
        loop.addCloseHook(() -> events.add("b closed=" + loop.isClosed()));
        assertThat(cancelled.cancel(), is(true));
        assertThat(cancelled.cancel(), is(false));
        assertThat(events.isEmpty(), is(true));
        loop.close();
        loop.close();
        assertThat(events, contains("a inLoop=true open=true", "b closed=true"));
        assertThat(ch.isOpen(), is(false));
        assertThat(failures.isEmpty(), is(true));
    }

    @Test
    void aHookThatThrowsReachesTheHandlerAndTheOtherHooksStillRun() {
        loop.addCloseHook(SelectorLoopCloseHookTest::recurse);
        loop.addCloseHook(() -> {
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
    void closeFromAHookOrFromACallbackNeverThrowsWhatAHookThrew() throws Exception {
        loop.addCloseHook(() -> {
            loop.close(); // a second close inside the hook is a no-op
            throw new IllegalStateException("hook boom");
        });
        CompletableFuture<String> returned = new CompletableFuture<>();
        loop.execute(() -> {
            loop.close();
            returned.complete("close returned");
        });
        assertThat(returned.get(10, SECONDS), is("close returned"));
        loop.close();
        assertThat(failures.size(), is(1));
        assertThat(failures.get(0).getMessage(), is("hook boom"));
    }

    @Test
    void hooksMayFinishTheirWorkWithTasksTimersAndWriteReadiness() throws Exception {
        Timers timers = loop.capability(Timers.class).orElseThrow();
        FdReadiness.Registration writer = registered(0, (r, ops) -> {
            events.add("writable open=" + r.channel().isOpen());
            r.interestOps(0); // output done: the loop may finish closing
        });
        var ch = writer.channel();
        loop.addCloseHook(() -> {
            loop.execute(() -> events.add("task"));
            timers.schedule(Duration.ofMillis(20), () -> events.add("timer"));
            writer.interestOps(SelectionKey.OP_WRITE);
        });
        loop.close();
        assertThat(events.contains("task"), is(true));
        assertThat(events.contains("timer"), is(true));
        assertThat(events.contains("writable open=true"), is(true));
        assertThat(ch.isOpen(), is(false));
    }

    @Test
    void aHookAddedWhileTheLoopClosesRunsOnTheLoopThreadAndOneFromAnotherThreadIsRefused() throws Exception {
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
        assertThat(refused.get(10, SECONDS).getMessage(), is("Loop '" + loop.name()
                + "' is closed and accepts no more tasks; open a new loop or submit work before close()"));
        assertThrows(RejectedExecutionException.class, () -> loop.addCloseHook(() -> { }));
        assertThrows(NullPointerException.class, () -> SelectorLoop.open().addCloseHook(null));
    }

    @Test
    void tasksSubmittedBeforeCloseRunBeforeTheHooks() throws Exception {
        CompletableFuture<Void> blocked = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        loop.execute(() -> {
            blocked.complete(null);
            SelectorLoopTest.await(release);
        });
        blocked.get(10, SECONDS);
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

    static void recurse() {
        recurse();
    }
}
