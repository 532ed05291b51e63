// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * An event loop: one thread that runs callbacks and drives I/O for the transports opened on it.
 *
 * <p>The interface is deliberately small. Transports never add methods here: a transport is
 * opened by a static entry point that takes the loop as an argument and is resolved by
 * {@code dev.loopwire.transport.Transports} from the loop's own implementations
 * ({@link #implementation}) or from providers that need only the loop's
 * {@linkplain #capabilities() capabilities}.
 *
 * <p><b>Lifecycle.</b> A loop starts running when it is opened. {@link #close()} is graceful:
 * <ol>
 *   <li>{@link #isClosed()} becomes {@code true}, and {@link #execute} (and
 *       {@link Timers#schedule}) called from any other thread throw
 *       {@link java.util.concurrent.RejectedExecutionException};</li>
 *   <li>on the loop thread, timers scheduled before {@code close()} are cancelled, then every
 *       {@linkplain #addCloseHook close hook} runs, once, in the order the hooks were added;</li>
 *   <li>the loop goes on turning (I/O, tasks, timers) so that what the hooks started can finish:
 *       tasks submitted before {@code close()} run, and {@code execute} and
 *       {@code Timers.schedule} called <em>on the loop thread</em> are still accepted. It stops
 *       when no task, no timer and no I/O in progress is left (each loop says what counts as
 *       I/O in progress), or at the latest after its close timeout (10 s for loopwire's
 *       loops);</li>
 *   <li>it closes every channel or socket still registered with it (registering one hands its
 *       ownership to the loop), releases every resource it owns, and its thread ends;
 *       {@code close()} called from another thread returns then.</li>
 * </ol>
 * Closing twice is a no-op; closing from a callback on the loop thread is allowed, returns at
 * once and never runs a hook or task inside the caller's frame.
 *
 * <p><b>Errors.</b> A {@link Throwable} thrown by a task, a timer, a close hook or an I/O
 * handler — {@link Error}s such as {@link StackOverflowError} and an {@link OutOfMemoryError}
 * thrown by user code included — goes to the loop's exception handler and the loop goes on. If
 * the loop thread fails anyway (a fault in the loop itself, or an exception handler that
 * throws), the loop closes itself visibly: {@link #isClosed()} becomes {@code true},
 * {@code execute} rejects with a message that names the loop and the cause, the close hooks
 * run, the channels and sockets are closed, and the failure is logged at ERROR with the number
 * of tasks dropped.
 *
 * <p><b>Concurrency.</b> {@link #execute}, {@link #name()}, {@link #capabilities()},
 * {@link #capability}, {@link #implementation}, {@link #inLoop()}, {@link #addCloseHook} and
 * {@link #close()} may be called from any thread. Tasks run on the loop thread in the order they
 * were submitted. A loop may bound the number of tasks waiting to run; past the bound
 * {@code execute} throws {@link java.util.concurrent.RejectedExecutionException} naming the bound
 * and how to raise it.
 *
 * <p><b>For loop authors.</b> Every loop must keep the lifecycle above, in particular: close
 * hooks run on the loop thread, in the order they were added, each at most once, after
 * {@code close()} was called and before the loop closes the channels or sockets it owns; a hook
 * that throws (any {@code Throwable}) goes to the exception handler and the next hook still
 * runs; a hook must not run inside {@code addCloseHook} or {@code close()}. Call
 * {@code CurrentLoop.enter} first thing on the loop thread and {@code CurrentLoop.exit} last.
 * {@link FdReadiness} adds what its registrations must guarantee.
 */
public interface EventLoop extends Executor, AutoCloseable {

    /**
     * The loop's name, unique in this JVM, such as {@code selector-1}; never {@code null}.
     *
     * @return the name
     */
    String name();

    /**
     * The capability interfaces this loop offers; never {@code null}, unmodifiable.
     *
     * @return the capability interfaces, fixed for the loop's life
     */
    Set<Class<? extends Capability>> capabilities();

    /**
     * The loop's facet for a capability.
     *
     * @param type a capability interface, such as {@code FdReadiness.class}
     * @param <C> the capability interface
     * @return the facet, or empty if the loop does not offer {@code type}
     */
    <C extends Capability> Optional<C> capability(Class<C> type);

    /**
     * The loop's own implementation of a transport: the first step of the double dispatch.
     *
     * @param key the transport's key
     * @param <T> the transport's implementation type, as the key declares it
     * @return the implementation, or empty to let the registry look further
     * @implSpec The default returns empty: the loop carries no loop-native transports.
     */
    default <T> Optional<T> implementation(TransportKey<T> key) {
        return Optional.empty();
    }

    /**
     * Adds a hook that tells whatever a transport registered on this loop that the loop is
     * closing: it runs once, on the loop thread, after {@link #close()} was called and before
     * the loop closes the channels and sockets it owns, so that an endpoint can flush what it
     * accepted, close its socket and tell its user. Hooks run in the order they were added. A
     * hook may call {@link #execute} and {@link Timers#schedule} to finish its work; the loop
     * runs that work until it is done or the close timeout has passed. A hook that throws goes
     * to the loop's exception handler; the other hooks still run.
     *
     * <p>A hook added while the hooks run (by a hook) runs after them, in the same pass. A hook
     * added once the hooks have run (from a task that runs while the loop closes) is run like a
     * task submitted with {@link #execute}: soon, on the loop thread, before the loop releases
     * its resources. A hook is refused exactly when {@code execute} would refuse a
     * task: from another thread once {@code close()} was called, and after the loop has ended.
     *
     * <p>Cancel the hook when what it protects closes first (an endpoint closed by its user), or
     * the loop keeps it until it closes.
     *
     * @param hook what to run; never {@code null}
     * @return the hook's handle; {@link CloseHook#cancel()} removes it; never {@code null}
     * @throws java.util.concurrent.RejectedExecutionException if the loop is closing and the
     *     caller is not on the loop thread, or the loop has ended
     */
    CloseHook addCloseHook(Runnable hook);

    /**
     * Whether the calling thread is this loop's thread.
     *
     * @return {@code true} on this loop's thread, {@code false} on any other
     */
    boolean inLoop();

    /**
     * Whether {@link #close()} has been called, or the loop closed itself after a failure.
     *
     * @return {@code true} once the loop is closing or has ended; it never becomes {@code false}
     *     again
     */
    boolean isClosed();

    /**
     * Closes the loop gracefully and waits for its thread to end (unless called on the loop
     * thread itself, where it returns at once and the loop ends after the current callback).
     * Never throws what a hook or task threw: that goes to the exception handler.
     */
    @Override
    void close();

    /**
     * A hook added with {@link #addCloseHook}: the handle that removes it.
     *
     * <p><b>Concurrency.</b> {@link #cancel()} may be called from any thread, also from the hook
     * itself.
     */
    interface CloseHook {

        /**
         * Removes the hook if it has not run yet. Cancelling twice, or after the hook ran, does
         * nothing.
         *
         * @return {@code true} if this call prevented the hook from running
         */
        boolean cancel();
    }
}
