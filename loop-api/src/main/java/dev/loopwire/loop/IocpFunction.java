// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

/**
 * The overlapped Win32 and Winsock functions an {@link IocpSubmission} can start: the IOCP
 * counterpart of an io_uring opcode. The table is fixed because for every entry the loop must
 * know which arguments it takes and which memory it may write.
 *
 * <p>Each constant names the function it calls and the arguments it reads from the submission
 * ({@code buffer} or {@code wsabufs}, {@code address}, {@code flags}, {@code offset},
 * {@code acceptSocket}, {@code addressLengths}); arguments not listed are ignored. The loop
 * always passes its own {@code OVERLAPPED} and never a completion routine.
 *
 * <p><b>Concurrency.</b> An immutable enum.
 */
public enum IocpFunction {

    /** {@code WSARecv}: {@code buffer} or {@code wsabufs}, {@code flags} ({@code MSG_PEEK}, {@code MSG_PUSH_IMMEDIATE}...). */
    WSA_RECV(true, true),
    /** {@code WSASend}: {@code buffer} or {@code wsabufs}, {@code flags}. */
    WSA_SEND(false, true),
    /** {@code WSARecvFrom}: {@code buffer} or {@code wsabufs}, {@code address} (filled with the sender), {@code flags}. */
    WSA_RECV_FROM(true, true),
    /** {@code WSASendTo}: {@code buffer} or {@code wsabufs}, {@code address} (the target; none on a connected socket), {@code flags}. */
    WSA_SEND_TO(false, true),
    /**
     * {@code AcceptEx} on a listening socket: {@code acceptSocket} (an unbound socket of the
     * listener's family), {@code buffer} (first data received, then the local and remote
     * addresses; its length minus both address lengths is how much data to wait for, 0 for
     * none), {@code addressLengths}.
     */
    ACCEPT_EX(true, true),
    /** {@code ConnectEx}: {@code address} (the peer), optional {@code buffer} of data to send once connected; the socket must be bound. */
    CONNECT_EX(false, true),
    /** {@code DisconnectEx}: {@code flags} ({@link WinsockCalls#TF_REUSE_SOCKET}). */
    DISCONNECT_EX(false, true),
    /** {@code ReadFile}: {@code buffer}, {@code offset} (the file position; ignored by pipes and sockets). */
    READ_FILE(true, false),
    /** {@code WriteFile}: {@code buffer}, {@code offset}. */
    WRITE_FILE(false, false),
    /**
     * A user completion from {@link IocpRegistration#post}
     * ({@code PostQueuedCompletionStatus}); not started through {@link IocpRegistration#prepare}.
     */
    POST(false, false);

    private final boolean writesBuffer;
    private final boolean winsock;

    IocpFunction(boolean writesBuffer, boolean winsock) {
        this.writesBuffer = writesBuffer;
        this.winsock = winsock;
    }

    /**
     * Whether the function writes into its {@code buffer} (which therefore must not be read-only).
     *
     * @return {@code true} for functions that receive or read into the buffer
     */
    public boolean writesBuffer() {
        return writesBuffer;
    }

    /**
     * Whether the function is a Winsock function, valid on sockets only.
     *
     * @return {@code true} for the {@code WSA_*} and {@code *_EX} functions, {@code false} for
     *     files and posts
     */
    public boolean isWinsock() {
        return winsock;
    }
}
