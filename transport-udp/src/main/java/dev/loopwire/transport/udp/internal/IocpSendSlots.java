// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.NativeBlock;
import java.nio.ByteBuffer;

/**
 * The send slots of one IOCP UDP socket: each a payload block (2 KiB, grown on demand) and a
 * {@code sockaddr} block for the target, created lazily up to {@link #MAX}, reused after their
 * {@code WSASendTo} completes. The loop supplies the {@code WSABUF} and the {@code OVERLAPPED}
 * and pins both blocks while the send is in flight; the blocks close with the registration.
 *
 * <p>Loop thread only.
 */
final class IocpSendSlots {

    /** At most this many sends in flight per socket. */
    static final int MAX = 64;
    private static final int INITIAL_PAYLOAD = 2048;

    /** One reusable send. */
    static final class Slot {
        final int index;
        final NativeBlock target;
        NativeBlock payload;
        int length;
        int targetLength;

        Slot(int index, NativeBlock target) {
            this.index = index;
            this.target = target;
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
    Slot take(IocpRegistration registration) {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (count == MAX) {
            return null;
        }
        Slot slot = new Slot(count, registration.allocate(IocpPort.SOCKADDR_STORAGE_SIZE));
        slot.payload = registration.allocate(INITIAL_PAYLOAD);
        all[count++] = slot;
        return slot;
    }

    /** Copies {@code data} (advancing its position to its limit) into {@code slot}, growing its payload block if needed. */
    void fill(Slot slot, IocpRegistration registration, ByteBuffer data) {
        int length = data.remaining();
        if (length > slot.payload.size()) {
            int size = Math.max(length, slot.payload.size() * 2);
            slot.payload.close(); // deferred by the loop while a send still pins it
            slot.payload = registration.allocate(size);
        }
        slot.payload.buffer().put(0, data, data.position(), length);
        data.position(data.limit());
        slot.length = length;
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
