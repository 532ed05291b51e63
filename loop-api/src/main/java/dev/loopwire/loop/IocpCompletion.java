// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.io.IOException;

/**
 * One completion of an overlapped operation, as handed to {@link IocpHandler#complete}: what
 * {@code GetQueuedCompletionStatusEx} dequeued, with the operation's status already turned into
 * a Win32 or Winsock error code.
 *
 * <p>Every operation completes exactly once (IOCP has no multishot operations), so every
 * completion is final: after it the operation's memory is unpinned and its id no longer valid.
 *
 * <p><b>Lifecycle.</b> Loop-owned and reused for every completion: valid during the handler
 * call only.
 *
 * <p><b>Concurrency.</b> Loop thread only.
 */
public interface IocpCompletion {

    /** {@code ERROR_OPERATION_ABORTED} (also {@code WSA_OPERATION_ABORTED}): cancelled. */
    int ERROR_OPERATION_ABORTED = 995;
    /** {@code ERROR_HANDLE_EOF}: a {@code ReadFile} at the end of a file. */
    int ERROR_HANDLE_EOF = 38;
    /** {@code ERROR_BROKEN_PIPE}: a {@code ReadFile} on a pipe whose writer closed. */
    int ERROR_BROKEN_PIPE = 109;
    /** {@code ERROR_MORE_DATA}: a message or datagram was larger than the buffer (also {@code WSAEMSGSIZE} for sockets). */
    int ERROR_MORE_DATA = 234;

    /**
     * The id {@link IocpSubmission#submit()} or {@link IocpRegistration#post} returned.
     *
     * @return the operation's id, as {@code submit()} or {@code post} returned it
     */
    long operationId();

    /**
     * The function that was started.
     *
     * @return the function; {@link IocpFunction#POST} for a post; never null
     */
    IocpFunction function();

    /**
     * The caller's {@link IocpSubmission#tag(long) tag}.
     *
     * @return the tag given at submission, or 0 if none was set
     */
    long tag();

    /**
     * {@code dwNumberOfBytesTransferred}: bytes received, sent, read or written (for
     * {@code ACCEPT_EX} the data received before the addresses; for {@code POST} the value
     * posted).
     *
     * @return the byte count, 0 or more (a post's value as posted)
     */
    int bytes();

    /**
     * 0 on success, else the Winsock ({@code WSAECONNRESET 10054}...) or Win32
     * ({@code ERROR_HANDLE_EOF 38}...) error code of the operation.
     *
     * @return 0 on success, else the system error code
     */
    int error();

    /**
     * Whether {@link #error()} is 0.
     *
     * @return {@code true} if the operation succeeded
     */
    boolean isSuccess();

    /**
     * Whether the operation was cancelled ({@link #ERROR_OPERATION_ABORTED}).
     *
     * @return {@code true} if the operation was cancelled before it finished
     */
    boolean isCancelled();

    /**
     * The error as a typed exception whose message names the function, what happened and the
     * code ({@code "WSARecv failed: connection reset (WSAECONNRESET 10054)"}): for instance
     * {@link java.net.ConnectException} for a refused {@code ConnectEx},
     * {@link java.io.EOFException} for {@link #ERROR_HANDLE_EOF}, a subtype of
     * {@link java.net.SocketException} for other socket errors. Made on each call.
     *
     * @return {@code null} on success
     */
    IOException exception();

    /**
     * {@code WSARecvFrom}'s sender address length in the {@code address} memory, on success and
     * for a datagram larger than the buffer ({@link #ERROR_MORE_DATA} / {@code WSAEMSGSIZE}, which
     * Winsock dequeues with its sender); 0 otherwise.
     *
     * @return the length of the sender's sockaddr written for {@code WSA_RECV_FROM}, else 0
     */
    int addressLength();
}
