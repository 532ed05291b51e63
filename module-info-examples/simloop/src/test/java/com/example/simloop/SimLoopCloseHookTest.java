// SPDX-License-Identifier: Apache-2.0
package com.example.simloop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The simulated loop, a third-party loop, keeps the close-hook contract and the errors policy. */
class SimLoopCloseHookTest {

    private final List<String> events = new CopyOnWriteArrayList<>();

    static void recurse() {
        recurse();
    }

    @Test
    void hooksRunInOrderOnTheLoopThreadAndMayFinishWorkInVirtualTime() throws Exception {
        SimLoop loop = SimLoop.open();
        Timers timers = loop.capability(Timers.class).orElseThrow();
        timers.schedule(Duration.ofHours(1), () -> events.add("timer from before close"));
        loop.addCloseHook(() -> {
            events.add("a inLoop=" + loop.inLoop() + " closed=" + loop.isClosed());
            loop.execute(() -> events.add("task from a hook"));
            timers.schedule(Duration.ofSeconds(2), () -> events.add("timer from a hook @" + loop.now().toSeconds()));
        });
        EventLoop.CloseHook cancelled = loop.addCloseHook(() -> events.add("cancelled"));
        loop.addCloseHook(SimLoopCloseHookTest::recurse); // logged; the next hook still runs
        loop.addCloseHook(() -> {
            events.add("c");
            loop.addCloseHook(() -> events.add("added by a hook"));
        });
        assertThat(cancelled.cancel(), is(true));
        loop.close();
        assertThat(events, contains("a inLoop=true closed=true", "c", "added by a hook", "task from a hook",
                "timer from a hook @2"));
        assertThrows(RejectedExecutionException.class, () -> loop.addCloseHook(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
    }

    @Test
    void aStackOverflowInATaskDoesNotEndTheLoop() throws Exception {
        try (SimLoop loop = SimLoop.open()) {
            loop.execute(SimLoopCloseHookTest::recurse);
            CompletableFuture<String> after = new CompletableFuture<>();
            loop.execute(() -> after.complete("alive"));
            assertThat(after.get(10, TimeUnit.SECONDS), is("alive"));
        }
    }
}
