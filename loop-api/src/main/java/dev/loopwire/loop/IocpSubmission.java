// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.nio.ByteBuffer;

/**
 * One overlapped operation being written: the arguments of an {@link IocpFunction}, with memory
 * named as {@link NativeBlock}s or direct {@link ByteBuffer}s that the loop pins until the
 * operation's completion has been dequeued. The IOCP counterpart of {@link UringSubmission}.
 *
 * <p>The loop supplies the {@code OVERLAPPED} (a loop-owned slot carrying the operation's id and
 * tag), the {@code WSABUF} for a single {@code buffer}, the flags and address-length words the
 * function writes back, and the function pointers of {@code AcceptEx}, {@code ConnectEx} and
 * {@code DisconnectEx} (loaded with {@code WSAIoctl} once per registration). Memory setters
 * accept only memory the loop can pin: a heap buffer is refused with
 * {@link IllegalArgumentException}, a closed block with {@link IllegalStateException}, a range
 * outside its block with {@link IndexOutOfBoundsException}, a read-only buffer for a function
 * that writes into it with {@link IllegalArgumentException}.
 * {@link #submit()} checks that every argument the function needs is there and that lengths fit
 * the memory named.
 *
 * <p><b>Lifecycle.</b> Obtained from {@link IocpRegistration#prepare}; the same loop-owned object
 * is reused by every submission on the loop, so it allocates nothing. It is valid until
 * {@link #submit()} or the next {@code prepare}; using it afterwards throws
 * {@link IllegalStateException}.
 *
 * <p><b>Concurrency.</b> Loop thread only.
 */
public interface IocpSubmission {

    /**
     * The data buffer: a direct buffer's remaining bytes, from its position. Position and limit
     * are not changed, now or on completion; read the count from {@link IocpCompletion#bytes()}.
     *
     * @param direct a direct buffer, pinned by the loop until the completion is dequeued; read-only
     *     only for functions that read from it
     * @return this writer, for chaining
     */
    IocpSubmission buffer(ByteBuffer direct);

    /**
     * The data buffer: {@code length} bytes of a block from {@code offset}.
     *
     * @param block an open block, pinned by the loop until the completion is dequeued
     * @param offset where the data starts in {@code block}
     * @param length the byte count; {@code offset + length} must lie inside the block
     * @return this writer, for chaining
     */
    IocpSubmission buffer(NativeBlock block, int offset, int length);

    /**
     * Scatter/gather for the {@code WSA_*} functions: {@code count} {@code WSABUF}s
     * ({@code {ULONG len; CHAR *buf;}}, 16 bytes each) at {@code offset} of a block, whose
     * {@code buf} fields were written with {@link NativeBlock#putAddress}. Replaces
     * {@link #buffer}.
     *
     * @param block an open block, pinned by the loop until the completion is dequeued
     * @param offset where the first {@code WSABUF} starts in {@code block}
     * @param count the number of {@code WSABUF}s, at least 1
     * @return this writer, for chaining
     */
    IocpSubmission wsabufs(NativeBlock block, int offset, int count);

    /**
     * A socket address: the target of {@code WSA_SEND_TO}, the peer of {@code CONNECT_EX}
     * ({@code length} bytes of {@code sockaddr}), or where {@code WSA_RECV_FROM} writes the
     * sender (room for {@code length} bytes; the length written comes in
     * {@link IocpCompletion#addressLength()}).
     *
     * @param block an open block, pinned by the loop until the completion is dequeued
     * @param offset where the sockaddr starts in {@code block}
     * @param length the sockaddr's length, or the room for one
     * @return this writer, for chaining
     */
    IocpSubmission address(NativeBlock block, int offset, int length);

    /**
     * {@link #address(NativeBlock, int, int)} on a direct buffer's remaining bytes.
     *
     * @param direct a direct buffer, pinned by the loop until the completion is dequeued
     * @return this writer, for chaining
     */
    IocpSubmission address(ByteBuffer direct);

    /**
     * The function's flags word ({@code MSG_*} for the {@code WSA_*} functions, {@code TF_*} for
     * {@code DISCONNECT_EX}).
     *
     * @param flags the flags word, as the function reads it
     * @return this writer, for chaining
     */
    IocpSubmission flags(int flags);

    /**
     * The file position of {@code READ_FILE}/{@code WRITE_FILE}
     * ({@code OVERLAPPED.Offset}/{@code OffsetHigh}); 0 if not set.
     *
     * @param position the byte offset in the file, 0 or more
     * @return this writer, for chaining
     */
    IocpSubmission offset(long position);

    /**
     * {@code ACCEPT_EX}'s {@code sAcceptSocket}: an open, unbound, unconnected socket the caller
     * owns.
     *
     * @param socket the SOCKET that becomes the accepted connection
     * @return this writer, for chaining
     */
    IocpSubmission acceptSocket(long socket);

    /**
     * {@code ACCEPT_EX}'s {@code dwLocalAddressLength} and {@code dwRemoteAddressLength}; each
     * at least 16 more than the largest sockaddr of the family. Default
     * {@link IocpPort#ACCEPT_ADDRESS_LENGTH} each.
     *
     * @param local room for the local address, in bytes
     * @param remote room for the remote address, in bytes
     * @return this writer, for chaining
     */
    IocpSubmission addressLengths(int local, int remote);

    /**
     * A caller's value handed back in {@link IocpCompletion#tag()}.
     *
     * @param tag any value; the loop does not read it
     * @return this writer, for chaining
     */
    IocpSubmission tag(long tag);

    /**
     * Starts the operation with one system call. Whatever happens next, exactly one completion
     * follows: immediate successes complete through the port like pending operations, and a
     * call the system refuses at once is reported with its error code on the next loop turn.
     *
     * @return the operation's id, for {@link IocpRegistration#cancel(long)}; unique on this loop
     *     while the operation is in flight (it carries a generation)
     * @throws IllegalArgumentException if an argument the function needs is missing or does
     *     not fit the memory named (the message names the value and what to pass)
     * @throws IllegalStateException if the registration is no longer open, a block named was
     *     closed, or not on the loop thread
     */
    long submit();
}
