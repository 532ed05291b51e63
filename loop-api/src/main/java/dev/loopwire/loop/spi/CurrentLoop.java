package dev.loopwire.loop.spi;

import dev.loopwire.loop.EventLoop;
import java.util.Objects;
import java.util.Optional;

/**
 * Tells {@link dev.loopwire.loop.EventLoops#current()} which loop a thread runs. A loop
 * implementation calls {@link #enter} first thing on its thread and {@link #exit} last.
 */
public final class CurrentLoop {

    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();

    private CurrentLoop() {
    }

    /** Marks the calling thread as the thread of {@code loop}. */
    public static void enter(EventLoop loop) {
        CURRENT.set(Objects.requireNonNull(loop, "loop"));
    }

    /** Clears the mark set by {@link #enter}. */
    public static void exit() {
        CURRENT.remove();
    }

    /** The loop whose thread is calling, if any. */
    public static Optional<EventLoop> get() {
        return Optional.ofNullable(CURRENT.get());
    }
}
