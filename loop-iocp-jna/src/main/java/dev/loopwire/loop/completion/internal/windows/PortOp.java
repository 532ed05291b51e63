// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import dev.loopwire.loop.IocpFunction;
import java.nio.ByteBuffer;

/**
 * One overlapped operation of an {@link LoopIocpPort}: a loop-owned slot of native memory that
 * holds the operation's {@code OVERLAPPED} (its address identifies the operation when the
 * completion is dequeued) and the words the function writes back, plus the Java references that
 * pin the memory the operation names until its completion has been dequeued.
 *
 * <p>Slot layout ({@link #SIZE} bytes, little-endian, see {@link WinLayout} for the structures):
 * <pre>
 * [0, 32)  OVERLAPPED (first: its address is the slot's)
 * [32, 48) WSABUF for a single buffer
 * [48, 52) DWORD flags, in/out for WSARecv/WSARecvFrom
 * [52, 56) INT address length, in/out for WSARecvFrom
 * [56, 60) DWORD bytes, the out-parameter AcceptEx and ConnectEx require
 * </pre>
 *
 * <p>Pooled by {@link PortSlots}: steady-state submissions allocate nothing. Each use gets a new
 * generation, so an id ({@code generation << 32 | index}) names one use only.
 *
 * <p>Loop thread only.
 */
final class PortOp {

    static final int SIZE = 64;
    static final int WSABUF = 32;
    static final int FLAGS = 48;
    static final int ADDRESS_LENGTH = 52;
    static final int BYTES = 56;

    final int index;
    final ByteBuffer slot;
    final int offset;
    final long address;
    int generation;
    long id;
    PortRegistration registration;
    IocpFunction function;
    long tag;
    Object memory1;
    Object memory2;
    boolean inFlight;
    boolean cancelRequested;
    /** A start failure to report on the next turn; 0 when the system accepted the operation. */
    int failedAtOnce;
    PortOp previous;
    PortOp next;

    PortOp(int index, ByteBuffer slot, int offset, long address) {
        this.index = index;
        this.slot = slot;
        this.offset = offset;
        this.address = address;
    }

    /** Clears the slot's OVERLAPPED and write-back words for a new request. */
    void clearSlot() {
        for (int i = 0; i < SIZE; i += 8) {
            slot.putLong(offset + i, 0);
        }
    }

    /** Lets go of what the operation pinned. */
    void unpinAll() {
        unpin(memory1);
        unpin(memory2);
        memory1 = null;
        memory2 = null;
        registration = null;
        function = null;
        inFlight = false;
        cancelRequested = false;
        failedAtOnce = 0;
        previous = null;
        next = null;
    }

    private static void unpin(Object memory) {
        if (memory instanceof IocpBlock) {
            ((IocpBlock) memory).unpin();
        }
    }

    @Override
    public String toString() {
        return "iocp-op-" + index + "[" + function + (inFlight ? " in flight" : "") + "]";
    }
}
