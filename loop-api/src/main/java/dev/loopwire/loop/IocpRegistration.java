// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

/**
 * A HANDLE or SOCKET associated with an {@link IocpPort}: what starts overlapped operations on
 * it, cancels them, posts user completions to it, allocates the native memory they use, and ends
 * the registration. The IOCP counterpart of {@link UringRegistration}.
 *
 * <p><b>Lifecycle.</b> Open from {@link IocpPort#associate} until {@link #close()}. Closing
 * cancels every operation still in flight ({@code CancelIoEx}); once the last completion has
 * been dequeued, the handler's {@link IocpHandler#unregistered} runs and the registration's
 * blocks are released (each as soon as no operation pins it). A closed registration refuses
 * submissions, posts and allocations with {@link IllegalStateException}. Windows cannot undo the
 * association of a handle with a port: after {@code unregistered()} close the handle.
 *
 * <p><b>Concurrency.</b> Loop thread only; a call from another thread throws
 * {@link IllegalStateException} naming the thread.
 */
public interface IocpRegistration {

    /**
     * The associated handle, or {@link IocpPort#NO_HANDLE}.
     *
     * @return the HANDLE or SOCKET given to {@link IocpPort#associate}, or
     *     {@link IocpPort#NO_HANDLE} for a registration used only for posts
     */
    long handle();

    /**
     * Starts a submission: the loop's reusable writer, cleared, for this registration's handle.
     * Nothing is allocated; fill the arguments and call {@link IocpSubmission#submit()}.
     * Starting another submission before submitting abandons the first.
     *
     * @param function what to start; not {@link IocpFunction#POST} (use {@link #post})
     * @return the writer; valid until {@code submit()} or the next {@code prepare}
     * @throws IllegalArgumentException for {@code POST}
     * @throws IllegalStateException if the registration is closed, has no handle, or not on the
     *     loop thread
     */
    IocpSubmission prepare(IocpFunction function);

    /**
     * Posts a user completion to this registration ({@code PostQueuedCompletionStatus} with a
     * loop-owned {@code OVERLAPPED}): its handler gets a completion of function
     * {@link IocpFunction#POST} with these bytes and tag on a later loop turn. Posts count as
     * operations in flight (the registration unregisters only after they arrive) and cannot be
     * cancelled.
     *
     * @param bytes handed back as {@link IocpCompletion#bytes()}
     * @param tag handed back as {@link IocpCompletion#tag()}
     * @return the operation id
     * @throws IllegalStateException if the registration is closed or not on the loop thread
     */
    long post(int bytes, long tag);

    /**
     * Cancels one operation in flight ({@code CancelIoEx} with its {@code OVERLAPPED}). Its
     * completion still arrives, usually with {@link IocpCompletion#ERROR_OPERATION_ABORTED}, or
     * with its result if it finished first.
     *
     * @param operationId what {@link IocpSubmission#submit()} returned
     * @return {@code false} if that operation is no longer in flight, was never this
     *     registration's, or is a post
     */
    boolean cancel(long operationId);

    /** Cancels every operation of this registration in flight; the registration stays open. */
    void cancelAll();

    /**
     * Operations started or posted and not yet completed.
     *
     * @return the count, 0 or more
     */
    int inflight();

    /**
     * Allocates zeroed native memory owned by this registration, for data or structures the
     * system reads or writes ({@code WSABUF} arrays, {@code sockaddr}s).
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
     * {@link IocpHandler#unregistered} after the last completion. A second call does nothing.
     */
    void close();
}
