// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.UringRegistration;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The send slots of one io_uring UDP socket: each a {@code msghdr}, an {@code iovec} and a
 * {@code sockaddr} in one loop-allocated block, and a payload block (2 KiB, grown on demand),
 * created lazily up to {@link #MAX}, reused after their {@code SENDMSG} completes.
 *
 * <p>The pointers inside the header are written once with {@link NativeBlock#putAddress}, which
 * keeps the payload alive while the header is; the loop pins both while a send is in flight.
 * The blocks close with the registration.
 *
 * <p>Loop thread only.
 */
final class UringSendSlots {

    /** At most this many sends in flight per socket. */
    static final int MAX = 256;
    private static final int INITIAL_PAYLOAD = 2048;
    private static final int HEADER = 128;
    private static final int IOVEC = 56;
    /** Where the destination {@code sockaddr} goes in the header block. */
    static final int NAME = 72;

    /** One reusable send. */
    static final class Slot {
        final int index;
        final NativeBlock header;
        final ByteBuffer headerView;
        NativeBlock payload;

        Slot(int index, NativeBlock header) {
            this.index = index;
            this.header = header;
            this.headerView = header.buffer().order(ByteOrder.nativeOrder());
        }
    }

    private final Slot[] all = new Slot[MAX];
    private final Slot[] free = new Slot[MAX];
    private int count;
    private int freeCount;

    /**
     * A free slot, created if none is free and fewer than {@link #MAX} exist.
     *
     * @param registration allocates the blocks of a new slot
     * @return the slot, or {@code null} if every slot is in flight
     */
    Slot take(UringRegistration registration) {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (count == MAX) {
            return null;
        }
        Slot slot = new Slot(count, registration.allocate(HEADER));
        slot.header.putAddress(16, slot.header, IOVEC); // msg_iov
        slot.headerView.putLong(24, 1); // msg_iovlen
        slot.header.putAddress(0, slot.header, NAME); // msg_name; msg_namelen 0 leaves it unused
        payload(slot, registration, INITIAL_PAYLOAD);
        all[count++] = slot;
        return slot;
    }

    /**
     * Copies {@code data} (advancing its position to its limit) into {@code slot}.
     *
     * @param target the encoded destination at position 0, {@code targetLength} bytes; unused
     *     when {@code targetLength} is 0 (a connected socket)
     */
    void fill(Slot slot, UringRegistration registration, ByteBuffer data, ByteBuffer target, int targetLength) {
        int length = data.remaining();
        if (length > slot.payload.size()) {
            int size = Math.max(length, slot.payload.size() * 2);
            slot.payload.close();
            payload(slot, registration, size);
        }
        slot.payload.buffer().put(0, data, data.position(), length);
        data.position(data.limit());
        slot.headerView.putLong(IOVEC + 8, length); // iov_len
        slot.headerView.putInt(8, targetLength); // msg_namelen
        if (targetLength > 0) {
            slot.headerView.put(NAME, target, 0, targetLength);
        }
    }

    private static void payload(Slot slot, UringRegistration registration, int size) {
        slot.payload = registration.allocate(size);
        slot.header.putAddress(IOVEC, slot.payload, 0); // iov_base
    }

    /** Gives back a slot that was taken and not submitted, or whose send completed. */
    void release(Slot slot) {
        free[freeCount++] = slot;
    }

    /** The slot of a completion's tag. */
    Slot get(int index) {
        return all[index];
    }

    /** Sends submitted and not yet completed. */
    int inFlight() {
        return count - freeCount;
    }
}
