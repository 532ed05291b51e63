// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

/**
 * The capability to drive a Windows I/O completion port directly: any module associates a
 * HANDLE or SOCKET it owns (a socket, pipe or file opened for overlapped I/O), starts overlapped
 * operations on it from a fixed table of functions ({@link IocpFunction}), and receives every
 * completion on the loop thread. It is the Windows counterpart of {@link UringPort}, with the
 * same lifecycle and memory rules.
 *
 * <p>Operations name their memory only as loop-allocated {@link NativeBlock}s or direct
 * {@link java.nio.ByteBuffer}s, never as raw addresses, and run on a loop-owned
 * {@code OVERLAPPED}: the loop pins every block and buffer an operation names, and the
 * {@code OVERLAPPED} itself, until that operation's completion has been dequeued, so the system
 * never writes memory that was freed.
 *
 * <p>What stays inside the loop: the completion port handle, the completion keys, the
 * {@code OVERLAPPED} slots and their generation-carrying ids, the extension function pointers
 * ({@code AcceptEx}, {@code ConnectEx}, {@code DisconnectEx}), Winsock start-up and the loop's
 * wake-ups. Every started operation completes through the port, even one that finished at once
 * ({@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS} is not set on associated handles), so a handler
 * sees every operation in exactly one {@link IocpHandler#complete} call.
 *
 * <p><b>Lifecycle.</b> An {@link IocpRegistration} lives from {@link #associate} until its
 * handler's {@link IocpHandler#unregistered} has run; only then may the owner close the handle.
 * When the loop closes, each open registration's handler learns it in
 * {@link IocpHandler#loopClosing}, on the loop thread, before the loop releases anything. After
 * the loop's forced-close timeout, memory still pinned by operations in flight is leaked
 * deliberately (and logged), never freed while the system may write it.
 *
 * <p><b>Concurrency.</b> Every method of this facet, of its registrations, submissions and
 * blocks must be called on the loop thread (hand work over with {@link EventLoop#execute}); a
 * call from another thread throws {@link IllegalStateException} naming the thread.
 * {@link #winsock()} calls are the exception: plain system calls, safe from any thread. Handlers
 * run on the loop thread.
 */
public interface IocpPort extends Capability {

    /** The handle of a registration that associates nothing: it only receives {@linkplain IocpRegistration#post posts}. */
    long NO_HANDLE = -1L;

    /** {@code sizeof(SOCKADDR_STORAGE)}: room for any socket address. */
    int SOCKADDR_STORAGE_SIZE = 128;

    /** The default address length of {@code ACCEPT_EX}: {@code sizeof(sockaddr_in6) + 16}. */
    int ACCEPT_ADDRESS_LENGTH = 28 + 16;

    /**
     * Associates a handle the caller owns with the loop's completion port
     * ({@code CreateIoCompletionPort}).
     *
     * <p>The loop never closes the handle: it stays the caller's, to close in
     * {@link IocpHandler#unregistered} (or later). The handle must have been opened for
     * overlapped I/O ({@code WSA_FLAG_OVERLAPPED}, {@code FILE_FLAG_OVERLAPPED}); Windows
     * associates a handle with one port for its whole life. Pass {@link #NO_HANDLE} for a
     * registration that only receives posts; any number of those may exist.
     *
     * @param handle an open HANDLE or SOCKET, or {@link #NO_HANDLE}
     * @param handler receives the registration's completions; never {@code null}
     * @return the registration; never {@code null}
     * @throws IllegalArgumentException if {@code handle} is already associated with this loop
     *     (its message names the handle; close that registration first and open a new handle), or
     *     is 0
     * @throws java.io.UncheckedIOException if Windows refuses the association (for instance a
     *     handle associated with another port, or not opened for overlapped I/O)
     * @throws IllegalStateException if not on the loop thread, or the loop is closing
     */
    IocpRegistration associate(long handle, IocpHandler handler);

    /**
     * Bytes of memory allocated through this loop and not yet released: blocks and the loop's
     * {@code OVERLAPPED} slots. Any thread; for tests and monitoring.
     *
     * @return the byte count, 0 or more; a snapshot that may change as soon as it is read
     */
    long allocatedBytes();

    /**
     * Synchronous Winsock calls on sockets (create, options, bind, listen, names, shutdown,
     * close), so that a transport needs no native binding of its own.
     *
     * @return the calls, usable from any thread; never null
     */
    WinsockCalls winsock();
}
