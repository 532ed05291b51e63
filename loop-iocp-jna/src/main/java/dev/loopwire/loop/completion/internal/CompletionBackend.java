// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal;

import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.UringPort;
import java.io.IOException;

/**
 * The seam between the {@link dev.loopwire.loop.completion.CompletionLoop} and one operating
 * system's completion queue: Linux io_uring ({@code internal.uring.UringBackend}) or Windows
 * IOCP.
 *
 * <p>The loop owns the thread, the task queue, the timers, the listener guards and the argument
 * checks; a backend owns the native queue, the raw capability's registrations and every byte of
 * native memory that an operation uses, and keeps each operation's memory strongly reachable until its completion is
 * reaped.
 *
 * <p><b>Lifecycle.</b> Created on any thread (its constructor sets up the queue and throws
 * {@link IOException} if the system refuses), then used by the loop thread alone, then
 * {@link #close()}d by the loop thread after every registration has been unregistered.
 *
 * <p><b>Concurrency.</b> Only {@link #wakeup()}, {@link #sockets()} and {@link #inflight()} may
 * be called from other threads; everything else runs on the loop thread.
 */
public interface CompletionBackend {

    /** The backend's short name, the prefix of loop names: {@code io_uring}, {@code iocp}. */
    String name();

    /**
     * Submits everything prepared since the last call in one system call, waits until at least
     * one completion arrives, {@link #wakeup()} is called, or the timeout passes, and then
     * dispatches every completion that is ready.
     *
     * @param timeoutNanos 0 to not wait, negative to wait without a timeout
     * @throws IOException if the queue itself fails (not a single operation); the loop then
     *     shuts down
     */
    void await(long timeoutNanos) throws IOException;

    /**
     * Called once by the loop before its thread starts: where the backend sends what handlers
     * throw, and how it checks the loop thread.
     */
    default void attach(LoopContext loop) {
    }

    /** The raw io_uring capability of this backend, or {@code null} if it is not io_uring. */
    default UringPort uringPort() {
        return null;
    }

    /** The raw IOCP capability of this backend, or {@code null} if it is not IOCP. */
    default IocpPort iocpPort() {
        return null;
    }

    /**
     * The loop is closing: tell every raw registration, on the loop thread, before anything is
     * released. Called once; registrations then count in {@link #sockets()} until they end.
     */
    default void loopClosing() {
    }

    /** Makes a current or next {@link #await} return soon; any thread. */
    void wakeup();

    /** Sockets and raw registrations opened and not yet fully closed. */
    int sockets();

    /** Socket operations submitted and not yet reaped (not counting the backend's own). */
    int inflight();

    /**
     * Releases the queue and everything the backend still holds. Called once, on the loop
     * thread, after every socket has closed.
     */
    void close();
}
