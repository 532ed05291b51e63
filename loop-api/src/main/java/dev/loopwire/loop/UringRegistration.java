// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

/**
 * A file descriptor registered with a {@link UringPort}: what submits operations on it, cancels
 * them, allocates the native memory they use, and ends the registration.
 *
 * <p><b>Lifecycle.</b> Open from {@link UringPort#register} until {@link #close()}. Closing
 * cancels every operation still in flight; once the last completion has been reaped, the
 * handler's {@link UringHandler#unregistered} runs and the registration's blocks are released
 * (each as soon as no operation pins it). A closed registration refuses submissions and
 * allocations with {@link IllegalStateException}.
 *
 * <p><b>Concurrency.</b> Loop thread only; a call from another thread throws
 * {@link IllegalStateException}.
 */
public interface UringRegistration {

    /**
     * The registered fd, or {@code -1} for a registration without one.
     *
     * @return the fd given to {@link UringPort#register}, or {@code -1}
     */
    int fd();

    /**
     * Starts a submission: the loop's reusable writer, cleared, with this registration's fd.
     * Nothing is allocated; fill the fields and call {@link UringSubmission#submit()}. Starting
     * another submission before submitting abandons the first.
     *
     * @param opcode the io_uring opcode, such as {@link UringPort#OP_READ}
     * @return the writer; valid until {@code submit()} or the next {@code prepare}
     * @throws UnsupportedOperationException if the kernel lacks {@code opcode}, or the opcode
     *     is reserved to the loop (cancels, buffer provision, messages to other rings); the
     *     message names the opcode and what {@link UringPort#supports} returned
     * @throws IllegalStateException if the registration is closed or not on the loop thread
     */
    UringSubmission prepare(int opcode);

    /**
     * Cancels one operation in flight. Its completion still arrives (usually with
     * {@code -ECANCELED}).
     *
     * @param operationId what {@link UringSubmission#submit()} returned
     * @return {@code false} if that operation is no longer in flight (or was never this
     *     registration's)
     */
    boolean cancel(long operationId);

    /** Cancels every operation of this registration in flight; the registration stays open. */
    void cancelAll();

    /**
     * Operations submitted and not yet finally completed.
     *
     * @return the count, 0 or more
     */
    int inflight();

    /**
     * Allocates zeroed native memory owned by this registration, for structures the kernel reads
     * or writes (msghdr, iovec, sockaddr, timespec, paths) or for data.
     *
     * @param size bytes, at least 1
     * @return the block, open until closed or until the registration is unregistered; never null
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws IllegalStateException if the registration is closed
     */
    NativeBlock allocate(int size);

    /**
     * Whether {@link #close()} has not been called yet.
     *
     * @return {@code true} until {@link #close()} is called
     */
    boolean isOpen();

    /**
     * Closes the registration: cancels what is in flight, and calls
     * {@link UringHandler#unregistered} after the last completion. A second call does nothing.
     */
    void close();
}
