// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

/**
 * A group of provided buffers registered with the kernel ({@code IORING_REGISTER_PBUF_RING}):
 * a receive that selects its buffer from the group ({@link UringSubmission#bufferGroup}) gets
 * the one the kernel filled in {@link UringCompletion#buffer()}.
 *
 * <p>One group per loop and size class, shared by every registration: buffers go back to the
 * kernel as soon as the handler call that received them returns, so a group never runs dry
 * because of a handler that forgot one. When it runs dry under load, multishot receives end with
 * {@code -ENOBUFS} and are submitted again by their owner.
 *
 * <p><b>Lifecycle.</b> Created on first use by {@link UringPort#bufferGroup(int)}; released when
 * the loop closes, after the last operation that may select from it. Buffers are Java-owned
 * memory (never freed while a view of them is reachable).
 *
 * <p><b>Concurrency.</b> Loop thread only.
 */
public interface UringBufferGroup {

    /** The largest buffer size a group offers. */
    int MAX_BUFFER_SIZE = 1 << 20;

    /**
     * The group id ({@code bgid}).
     *
     * @return the {@code bgid} the kernel knows the group by
     */
    int id();

    /**
     * Bytes per buffer: the size class, a power of two at least the size asked for.
     *
     * @return the size of each buffer in bytes, 1 to {@link #MAX_BUFFER_SIZE}
     */
    int bufferSize();

    /**
     * Buffers in the group.
     *
     * @return the number of buffers, fixed when the group is created
     */
    int count();
}
