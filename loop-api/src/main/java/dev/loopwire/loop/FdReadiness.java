// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * The capability to watch a channel for readiness, the Java form of {@code add_reader} /
 * {@code add_writer}: the loop calls a handler when a registered {@link SelectableChannel} can be
 * read or written without blocking.
 *
 * <p>Interest and readiness are the bits of {@link SelectionKey}: {@link SelectionKey#OP_READ},
 * {@link SelectionKey#OP_WRITE}, {@link SelectionKey#OP_CONNECT}, {@link SelectionKey#OP_ACCEPT}.
 *
 * <p><b>Lifecycle.</b> A channel stays registered until {@link Registration#cancel()} or until
 * the loop closes. A loop closes every channel still registered when it closes: registering a
 * channel hands its ownership to the loop. While the loop closes, after its
 * {@linkplain EventLoop#addCloseHook close hooks} ran, it goes on delivering readiness until no
 * registration is interested in {@link SelectionKey#OP_WRITE} or {@link SelectionKey#OP_CONNECT}
 * (output still in progress) or the close timeout has passed; then it closes what is left. A
 * transport therefore adds a close hook, and in it flushes, cancels its registration and closes
 * its channel; registrations that only read are closed by the loop.
 *
 * <p><b>Concurrency.</b> Every method here must be called on the loop thread (use
 * {@link EventLoop#execute} from elsewhere); a call from another thread throws
 * {@link IllegalStateException}. Handlers run on the loop thread.
 *
 * <p><b>For loop authors.</b> Besides the lifecycle above, {@link Registration#cancel()} must
 * deregister the channel before it returns: a {@link SelectionKey#cancel()} alone is not enough,
 * because the JDK defers closing a channel that is still registered with a selector until that
 * selector's next selection, so the socket (and its port) would outlive the owner's
 * {@code close()}. A selector on the loop thread can call {@link java.nio.channels.Selector#selectNow()}
 * after cancelling; a selector on another thread must hand the cancellation over and wait until
 * that thread has selected once.
 */
public interface FdReadiness extends Capability {

    /**
     * Registers a non-blocking channel with the loop.
     *
     * @param channel the channel, already in non-blocking mode; never {@code null}
     * @param interestOps the readiness to watch for, a combination of {@link SelectionKey} bits
     * @param handler called on the loop thread with the ready bits; never {@code null}
     * @return the registration; never {@code null}
     * @throws IOException if the channel cannot be registered (closed, blocking mode)
     * @throws IllegalStateException if not called on the loop thread
     */
    Registration register(SelectableChannel channel, int interestOps, ReadyHandler handler)
            throws IOException;

    /** Called when a registered channel is ready. */
    @FunctionalInterface
    interface ReadyHandler {

        /**
         * Reacts to readiness. An exception thrown here goes to the loop's exception handler;
         * the loop and the registration go on.
         *
         * @param registration the registration that is ready
         * @param readyOps the ready bits, a subset of the interest at the time of selection
         */
        void ready(Registration registration, int readyOps);
    }

    /** A channel registered with the loop. */
    interface Registration {

        /**
         * The registered channel.
         *
         * @return the channel given to {@code register}; never null
         */
        SelectableChannel channel();

        /**
         * The current interest bits.
         *
         * @return the {@link java.nio.channels.SelectionKey} {@code OP_*} bits, OR-ed; 0 when
         *     paused
         */
        int interestOps();

        /**
         * Replaces the interest bits; {@code 0} pauses the registration without cancelling it.
         *
         * @param ops the new {@link java.nio.channels.SelectionKey} {@code OP_*} bits, OR-ed, valid
         *     for the channel
         */
        void interestOps(int ops);

        /**
         * Whether the registration is still active (not cancelled, loop not closed).
         *
         * @return {@code false} once the registration was cancelled or the loop closed
         */
        boolean isValid();

        /**
         * Stops watching the channel. The channel itself is not closed: ownership goes back to
         * the caller. When this method returns the channel is deregistered, so closing it right
         * after releases its socket (and port) at once. Cancelling twice is a no-op.
         */
        void cancel();
    }
}
