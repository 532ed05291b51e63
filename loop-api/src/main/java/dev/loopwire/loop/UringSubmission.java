// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.nio.ByteBuffer;

/**
 * One io_uring operation being written: the fields of a submission queue entry, with memory named
 * as {@link NativeBlock}s or direct {@link ByteBuffer}s that the loop pins until the operation's
 * final completion.
 *
 * <p>Every field not set is 0, except {@code fd} (the registration's fd). The memory setters
 * accept only memory the loop can pin: a heap buffer is refused with
 * {@link IllegalArgumentException}, a closed block with {@link IllegalStateException}. For the
 * byte-range opcodes ({@code READ}, {@code WRITE}, {@code SEND}, {@code RECV},
 * {@code SEND_ZC}) {@code submit()} checks that {@code len} fits the memory named by
 * {@code addr}; lengths written inside structures (an iovec's {@code iov_len}) are the caller's
 * to get right.
 *
 * <p><b>Lifecycle.</b> Obtained from {@link UringRegistration#prepare}; the same loop-owned
 * object is reused by every submission on the loop, so it allocates nothing. It is valid until
 * {@link #submit()} or the next {@code prepare}; using it afterwards throws
 * {@link IllegalStateException}.
 *
 * <p><b>Concurrency.</b> Loop thread only.
 */
public interface UringSubmission {

    /**
     * The sqe's {@code flags} byte: {@link UringPort#SQE_IO_LINK} and the others.
     *
     * @param sqeFlags the {@code UringPort.SQE_*} flags, OR-ed
     * @return this writer, for chaining
     */
    UringSubmission flags(int sqeFlags);

    /**
     * The sqe's {@code ioprio} (multishot bits for receives and accepts).
     *
     * @param ioprio the value, as the opcode reads it
     * @return this writer, for chaining
     */
    UringSubmission ioprio(int ioprio);

    /**
     * Replaces the fd (e.g. the domain for {@code SOCKET}, a dirfd for {@code OPENAT}).
     *
     * @param fd the value of the sqe's {@code fd} field
     * @return this writer, for chaining
     */
    UringSubmission fd(int fd);

    /**
     * {@code off} as a number: a file offset, {@code -1} for "current position", a count.
     *
     * @param offset the value of {@code off}
     * @return this writer, for chaining
     */
    UringSubmission offset(long offset);

    /**
     * {@code addr2} (the union with {@code off}) as memory: a sockaddr, a socklen.
     *
     * @param block the memory, pinned by the loop until the final completion; must be open
     * @param offset the byte offset in {@code block} where the field points
     * @return this writer, for chaining
     */
    UringSubmission addr2(NativeBlock block, int offset);

    /**
     * {@code addr2} as a direct buffer's memory from its position.
     *
     * @param direct a direct buffer, pinned by the loop until the final completion
     * @return this writer, for chaining
     */
    UringSubmission addr2(ByteBuffer direct);

    /**
     * {@code addr} as memory at {@code offset} of a block; its extent is the rest of the block.
     *
     * @param block the memory, pinned by the loop until the final completion; must be open
     * @param offset the byte offset in {@code block} where the field points
     * @return this writer, for chaining
     */
    UringSubmission addr(NativeBlock block, int offset);

    /**
     * {@code addr} as a direct buffer's memory from its position, and {@code len} as its
     * remaining bytes (override with {@link #len} afterwards).
     *
     * @param direct a direct buffer, pinned by the loop until the final completion
     * @return this writer, for chaining
     */
    UringSubmission addr(ByteBuffer direct);

    /**
     * {@code addr} as a number where the opcode reads it as one ({@code SPLICE}'s offset).
     *
     * @param offset the input offset, or {@code -1} for the current position
     * @return this writer, for chaining
     */
    UringSubmission spliceOffsetIn(long offset);

    /**
     * {@code len}.
     *
     * @param length the value of {@code len}: a byte count for the byte-range opcodes, checked by
     *     {@link #submit()} against the memory named by {@code addr}
     * @return this writer, for chaining
     */
    UringSubmission len(int length);

    /**
     * The opcode's flags word ({@code rw_flags}, {@code msg_flags}, {@code timeout_flags}...).
     *
     * @param opFlags the flags, as the opcode reads them
     * @return this writer, for chaining
     */
    UringSubmission opFlags(int opFlags);

    /**
     * {@code buf_index}, for fixed buffers.
     *
     * @param index the index of a registered buffer
     * @return this writer, for chaining
     */
    UringSubmission bufferIndex(int index);

    /**
     * Selects a buffer from a shared group: sets {@code buf_group} and
     * {@link UringPort#SQE_BUFFER_SELECT}.
     *
     * @param group the group, registered on this loop and not closed
     * @return this writer, for chaining
     */
    UringSubmission bufferGroup(UringBufferGroup group);

    /**
     * {@code personality}.
     *
     * @param personality a credentials id registered with the ring, or 0 for the loop's own
     * @return this writer, for chaining
     */
    UringSubmission personality(int personality);

    /**
     * The 32-bit field at byte 44: {@code splice_fd_in}, {@code file_index}, {@code optlen} or
     * {@code addr_len}.
     *
     * @param value the value, as the opcode reads it
     * @return this writer, for chaining
     */
    UringSubmission spliceFdIn(int value);

    /**
     * {@code addr3} as memory (a socket command's option value, for instance).
     *
     * @param block the memory, pinned by the loop until the final completion; must be open
     * @param offset the byte offset in {@code block} where the field points
     * @return this writer, for chaining
     */
    UringSubmission addr3(NativeBlock block, int offset);

    /**
     * {@code addr3} as a direct buffer's memory from its position.
     *
     * @param direct a direct buffer, pinned by the loop until the final completion
     * @return this writer, for chaining
     */
    UringSubmission addr3(ByteBuffer direct);

    /**
     * A caller's value handed back in each {@link UringCompletion#tag()}.
     *
     * @param tag any value; the loop does not read it
     * @return this writer, for chaining
     */
    UringSubmission tag(long tag);

    /**
     * Hands the operation to the loop; the kernel gets it at the end of the loop turn (or
     * earlier, when the submission ring is full).
     *
     * @return the operation's id, for {@link UringRegistration#cancel(long)}; unique on this
     *     loop while the operation is in flight (it carries a generation)
     * @throws SubmissionQueueFullException if the kernel takes no more entries right now; nothing
     *     was submitted and the writer stays filled, so retry on a later turn
     * @throws IllegalArgumentException if {@code len} exceeds the memory named by {@code addr}
     */
    long submit();
}
