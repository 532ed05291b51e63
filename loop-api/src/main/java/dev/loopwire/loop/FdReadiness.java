// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletionStage;

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
 * <p><b>For loop authors.</b> Besides the lifecycle above, the stage that
 * {@link Registration#cancel()} returns must complete only once the channel is deregistered: a
 * {@link SelectionKey#cancel()} alone is not enough, because the JDK defers closing a channel
 * that is still registered with a selector until that selector's next selection, so the socket
 * (and its port) outlives the owner's {@code channel.close()} until then. A selector on the loop
 * thread completes the stages of the keys cancelled during a turn after its next select (which
 * then must not block: the cancelled keys are deregistered as it starts); it cannot select
 * inside a handler, since the JDK refuses a select inside a select. A selector on another thread
 * hands the cancellation over and completes the stage, on the loop thread, once that thread has
 * selected again. A loop that closes completes every stage still pending once it has closed
 * its selector.
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
         * Stops watching the channel, and tells when the loop has let go of it. The channel
         * itself is not closed: ownership goes back to the caller. The registration is invalid
         * (and its handler no longer called) as soon as this method returns; the channel is
         * deregistered shortly after, by the loop's next selection, which does not wait for
         * readiness. The JDK keeps the socket of a channel closed while still registered until
         * then: an owner that closes the channel right after {@code cancel()} has its socket
         * (and port) released when the returned stage completes, not before, so it completes its
         * own close with that stage. Cancelling again returns the same stage. What a dependant
         * of the stage throws ({@code Error}s included) completes that dependant's own stage
         * exceptionally, as for any {@link java.util.concurrent.CompletableFuture}; it does not
         * reach the loop's exception handler, and the other stages still complete.
         *
         * @return completes normally, on the loop thread, once the channel is deregistered (or
         *     the loop has closed); never {@code null}, never completed exceptionally
         * @throws IllegalStateException if not called on the loop thread
         */
        CompletionStage<Void> cancel();
    }
}
