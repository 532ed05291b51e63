// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.spi;

import dev.loopwire.loop.EventLoop;
import java.util.Objects;
import java.util.Optional;

/**
 * Tells {@link dev.loopwire.loop.EventLoops#current()} which loop a thread runs. A loop
 * implementation calls {@link #enter} first thing on its thread and {@link #exit} last.
 *
 * <p><b>What it is for.</b> Code running in a callback often opens more transports without
 * naming a loop: {@code Udp.bind(address, handler, null)} uses
 * {@link dev.loopwire.loop.EventLoops#currentOrDefault()}, which is the caller's own loop when
 * the caller is on a loop thread. That only works if the loop said which thread is its own; a
 * loop that does not call {@code enter} still runs, but a transport opened from its callbacks
 * lands on the default loop instead, and its callbacks then run on another thread.
 *
 * <p><b>Lifecycle.</b> Call {@code enter(this)} as the first statement of the loop thread's
 * run method, before any task, timer or handler can run, and {@code exit()} in a
 * {@code finally} block as the last, so that a pooled thread does not keep the mark after the
 * loop has ended:
 *
 * <pre>{@code
 * void run() {
 *     CurrentLoop.enter(this);
 *     try {
 *         // the loop's turns
 *     } finally {
 *         CurrentLoop.exit();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Concurrency.</b> The mark is per thread (a {@link ThreadLocal}); each method affects
 * the calling thread only, and is safe to call from any thread.
 */
public final class CurrentLoop {

    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();

    private CurrentLoop() {
    }

    /**
     * Marks the calling thread as the thread of {@code loop}.
     *
     * @param loop the loop whose thread the caller is; never {@code null}
     * @throws NullPointerException if {@code loop} is {@code null}
     */
    public static void enter(EventLoop loop) {
        CURRENT.set(Objects.requireNonNull(loop, "loop"));
    }

    /** Clears the mark set by {@link #enter}. */
    public static void exit() {
        CURRENT.remove();
    }

    /**
     * The loop whose thread is calling, if any.
     *
     * @return the loop that called {@link #enter} on this thread and has not called {@link #exit},
     *     or empty
     */
    public static Optional<EventLoop> get() {
        return Optional.ofNullable(CURRENT.get());
    }
}
