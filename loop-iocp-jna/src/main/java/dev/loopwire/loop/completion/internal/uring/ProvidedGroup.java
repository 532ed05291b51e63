// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Memory;
import dev.loopwire.loop.UringBufferGroup;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A shared provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}) on Java-owned direct memory:
 * the ring of {@code io_uring_buf} entries (page-aligned) and the buffers it hands out. A buffer
 * goes back on the ring right after the handler call that received it; a view a user kept reads
 * newer bytes later, never freed memory.
 *
 * <p>Loop thread only.
 */
final class ProvidedGroup implements UringBufferGroup {

    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final int PAGE = 4096;
    private static final int BUDGET = 4 << 20;
    private static final int REGISTER_PBUF_RING = 22;
    private static final int UNREGISTER_PBUF_RING = 23;

    final LoopUringPort port;
    private final int id;
    private final int bufferSize;
    private final int count;
    private final ByteBuffer ringBacking;
    private final ByteBuffer ring;
    private final long ringAddress;
    private final ByteBuffer buffers;
    private final long buffersAddress;
    private final ByteBuffer[] views;
    private short tail;
    private boolean registered;

    private ProvidedGroup(LoopUringPort port, int id, int bufferSize) {
        this.port = port;
        this.id = id;
        this.bufferSize = bufferSize;
        count = Math.max(8, Math.min(1024, BUDGET / bufferSize));
        // alignedSlice rounds the start up AND the end down to a page: with a ring smaller than a
        // page, 16 * count + PAGE could leave an empty slice. Whole pages, plus one to align.
        int ringBytes = (16 * count + PAGE - 1) & -PAGE;
        ringBacking = ByteBuffer.allocateDirect(ringBytes + PAGE);
        ring = ringBacking.alignedSlice(PAGE).order(ByteOrder.nativeOrder());
        ringAddress = LoopUringPort.baseAddress(ring);
        buffers = ByteBuffer.allocateDirect(bufferSize * count);
        buffersAddress = LoopUringPort.baseAddress(buffers);
        views = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            views[i] = buffers.slice(i * bufferSize, bufferSize);
        }
    }

    /**
     * Registers a group with the kernel.
     *
     * @throws UnsupportedOperationException if the kernel refuses (the errno is in the message)
     */
    static ProvidedGroup create(LoopUringPort port, Ring ring, Memory scratch, int id, int bufferSize) {
        ProvidedGroup group = new ProvidedGroup(port, id, bufferSize);
        scratch.clear(40);
        scratch.setLong(0, group.ringAddress);
        scratch.setInt(8, group.count);
        scratch.setShort(12, (short) id);
        int result = ring.register(REGISTER_PBUF_RING, com.sun.jna.Pointer.nativeValue(scratch), 1);
        if (result < 0) {
            throw new UnsupportedOperationException("The kernel refused a provided-buffer ring of " + group.count
                    + " x " + bufferSize + " bytes: io_uring_register(PBUF_RING) failed: " + Errno.describe(-result)
                    + "; receive into your own blocks instead");
        }
        group.registered = true;
        for (int i = 0; i < group.count; i++) {
            group.recycle(i);
        }
        return group;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public int bufferSize() {
        return bufferSize;
    }

    @Override
    public int count() {
        return count;
    }

    /** Memory this group holds, for the loop's counter. */
    long bytes() {
        return ringBacking.capacity() + (long) buffers.capacity();
    }

    /** The buffer the kernel filled, from 0 to {@code length}; {@code null} for a bad id. */
    ByteBuffer view(int bid, int length) {
        if (bid < 0 || bid >= count) {
            return null;
        }
        ByteBuffer view = views[bid];
        view.clear().limit(Math.max(0, Math.min(length, bufferSize)));
        view.order(ByteOrder.BIG_ENDIAN);
        return view;
    }

    /** Puts buffer {@code bid} back on the ring for the kernel. */
    void recycle(int bid) {
        if (bid < 0 || bid >= count) {
            return;
        }
        int entry = (tail & (count - 1)) * 16;
        ring.putLong(entry, buffersAddress + (long) bid * bufferSize);
        ring.putInt(entry + 8, bufferSize);
        ring.putShort(entry + 12, (short) bid);
        tail++;
        SHORT.setRelease(ring, 14, tail);
    }

    /** How many times a buffer was put on the ring (wraps at 16 bits), for tests. */
    int tail() {
        return tail & 0xffff;
    }

    /** Unregisters from the kernel; called when nothing in flight can select from the group. */
    void unregister(Ring r, Memory scratch) {
        if (registered) {
            registered = false;
            scratch.clear(40);
            scratch.setShort(12, (short) id);
            r.register(UNREGISTER_PBUF_RING, com.sun.jna.Pointer.nativeValue(scratch), 1);
        }
    }

    @Override
    public String toString() {
        return "UringBufferGroup[id=" + id + " " + count + " x " + bufferSize + " bytes]";
    }
}
