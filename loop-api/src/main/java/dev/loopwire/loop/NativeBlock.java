// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.nio.ByteBuffer;

/**
 * A block of native memory allocated from a loop, for what operations name: structures the
 * kernel reads (msghdr, iovec, sockaddr, timespec, paths) or data.
 *
 * <p>Pointers inside a block are written only with {@link #putAddress}, which names other blocks
 * or direct buffers, never raw numbers: a block keeps what it points to alive, and an operation
 * that names a block pins it, so everything the kernel can reach through an operation outlives
 * it.
 *
 * <p><b>Lifecycle.</b> Zeroed when allocated. {@link #close()} releases it; while an operation
 * in flight pins it (or a live block points to it) the release is deferred to that operation's
 * final completion. Its memory is Java-owned: a {@link #buffer()} view kept after close reads
 * stale bytes, never freed memory. The block's registration closes it when it unregisters.
 *
 * <p><b>Concurrency.</b> Loop thread only; the {@link #buffer()} view may be read from any
 * thread that the caller synchronises with.
 */
public interface NativeBlock extends AutoCloseable {

    /**
     * Size in bytes.
     *
     * @return the size in bytes, at least 1, fixed for the block's life
     */
    int size();

    /**
     * A native-order view of the whole block: the same buffer object each call, position 0 and
     * limit {@link #size()} when first returned (after that its position and limit are yours).
     *
     * @return the view; never null; unusable once the block is released
     */
    ByteBuffer buffer();

    /**
     * Writes the address of {@code offset} bytes into {@code target} at {@code at}, and keeps
     * {@code target} alive while this block lives or until {@code at} is overwritten.
     *
     * @param at the byte offset in this block where the 8-byte address goes
     * @param target the block whose address is written; kept alive as described above
     * @param offset the byte offset in {@code target} the address points at
     * @throws IndexOutOfBoundsException if {@code at} or {@code offset} is out of range
     * @throws IllegalStateException if either block is closed
     */
    void putAddress(int at, NativeBlock target, int offset);

    /**
     * Writes the address of a direct buffer's memory from its position into this block at
     * {@code at}, and keeps the buffer reachable while this block lives or until {@code at} is
     * overwritten.
     *
     * @param at the byte offset in this block where the 8-byte address goes
     * @param direct the direct buffer whose memory, from its position, the address points at
     * @throws IllegalArgumentException if {@code direct} is a heap buffer
     */
    void putAddress(int at, ByteBuffer direct);

    /**
     * Whether {@link #close()} has not been called and its registration is open.
     *
     * @return {@code true} while the block may be used
     */
    boolean isOpen();

    /** Releases the block (deferred while pinned); a second call does nothing. */
    @Override
    void close();
}
