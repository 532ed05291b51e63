package dev.loopwire.loop.iocp.internal.uring;

import com.sun.jna.Memory;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.nio.ByteBuffer;

/**
 * One reusable send: a msghdr, an iovec, a sockaddr and a payload buffer in native memory,
 * owned until the send's completion is reaped.
 *
 * <p>Loop thread only.
 */
final class SendSlot extends Op {

    static final int INITIAL_CAPACITY = 2048;
    private static final int IOVEC = 56;
    private static final int NAME = 72;

    private final UringDatagram socket;
    private final Memory header = NativeMemory.allocate(128);
    private final ByteBuffer headerView = NativeMemory.view(header);
    final long headerAddress = NativeMemory.address(header);
    private Memory payload;
    private ByteBuffer payloadView;

    SendSlot(UringDatagram socket) {
        this.socket = socket;
        headerView.putLong(16, headerAddress + IOVEC); // msg_iov
        headerView.putLong(24, 1); // msg_iovlen
        allocatePayload(INITIAL_CAPACITY);
    }

    private void allocatePayload(int capacity) {
        NativeMemory.free(payload);
        payload = NativeMemory.allocate(capacity);
        payloadView = NativeMemory.view(payload);
        headerView.putLong(IOVEC, NativeMemory.address(payload));
    }

    /**
     * Copies {@code data} (advancing its position) and the target into this slot's memory.
     *
     * @param target the encoded sockaddr, {@code targetLength} bytes at offset 0, or
     *     {@code null} on a connected socket
     */
    void fill(ByteBuffer data, ByteBuffer target, int targetLength) {
        int length = data.remaining();
        if (length > payloadView.capacity()) {
            allocatePayload(Math.max(length, payloadView.capacity() * 2));
        }
        payloadView.clear();
        payloadView.put(data);
        headerView.putLong(IOVEC + 8, length);
        if (target == null) {
            headerView.putLong(0, 0);
            headerView.putInt(8, 0);
        } else {
            for (int i = 0; i < SockAddr.SIZE; i += 8) {
                headerView.putLong(NAME + i, target.getLong(i));
            }
            headerView.putLong(0, headerAddress + NAME);
            headerView.putInt(8, targetLength);
        }
    }

    @Override
    void complete(int result, int flags) {
        socket.sendCompleted(this, result);
    }

    void free() {
        NativeMemory.free(header);
        NativeMemory.free(payload);
    }
}
