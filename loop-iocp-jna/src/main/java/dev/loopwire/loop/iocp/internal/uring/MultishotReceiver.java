package dev.loopwire.loop.iocp.internal.uring;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Receives with one multishot RECVMSG ({@code IORING_RECV_MULTISHOT}) that picks its buffers
 * from a provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}): one SQE yields a completion
 * per datagram until the socket closes or the buffers run out.
 *
 * <p>Each buffer holds an {@code io_uring_recvmsg_out} header (16 bytes), the sender's sockaddr
 * (room for {@link SockAddr#SIZE} bytes, as told by the template msghdr's {@code msg_namelen}),
 * then the payload. A buffer goes back to the ring right after its datagram was handed to the
 * listener.
 *
 * <p>The buffers are one Java direct {@link ByteBuffer}, not {@link NativeMemory}: the payload
 * a listener is lent is a slice of it, and a slice keeps its parent alive. A listener that keeps
 * a payload past its call (against the contract) reads stale bytes, never freed memory; on
 * {@link #free()} the receiver only unregisters the ring and drops its own reference, and the GC
 * frees the buffers once no kept slice is left. The ring itself (page-aligned, never lent out)
 * stays native. When the ring runs dry the kernel ends the multishot with {@code ENOBUFS}; the
 * datagrams wait in the socket and the receive is armed again at once.
 *
 * <p>Loop thread only.
 */
final class MultishotReceiver extends Op implements Receiver {

    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final int HEADER = 16 + SockAddr.SIZE;
    private static final int MSG_TRUNC = 0x20;
    private static final int PAGE = 4096;
    private static final int BUDGET = 4 << 20;

    private final UringDatagram socket;
    private final UringBackend backend;
    private final int bufferGroup;
    private final int count;
    private final int bufferSize;
    private final int maxDatagramSize;
    private final Memory ringMemory;
    private final long ringAddress;
    private final ByteBuffer ring;
    private final long buffersAddress;
    private final ByteBuffer buffersView;
    private final ByteBuffer[] payloads;
    private final Memory template;
    private short tail;
    private boolean armed;

    private MultishotReceiver(UringDatagram socket, UringBackend backend, int bufferGroup, int maxDatagramSize) {
        this.socket = socket;
        this.backend = backend;
        this.bufferGroup = bufferGroup;
        this.maxDatagramSize = maxDatagramSize;
        bufferSize = (HEADER + maxDatagramSize + 7) & ~7;
        count = Math.max(8, Math.min(512, Integer.highestOneBit(BUDGET / bufferSize)));
        ringMemory = NativeMemory.allocate(16L * count + PAGE);
        ringAddress = (NativeMemory.address(ringMemory) + PAGE - 1) & -PAGE;
        ring = ringMemory.getByteBuffer(ringAddress - NativeMemory.address(ringMemory), 16L * count)
                .order(ByteOrder.nativeOrder());
        // At most BUDGET (4 MiB) plus one buffer, so the int capacity cannot overflow.
        buffersView = ByteBuffer.allocateDirect(bufferSize * count).order(ByteOrder.nativeOrder());
        buffersAddress = NativeMemory.address(Native.getDirectBufferPointer(buffersView));
        payloads = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            payloads[i] = buffersView.slice(i * bufferSize + HEADER, maxDatagramSize);
        }
        template = NativeMemory.allocate(64);
        template.setInt(8, SockAddr.SIZE); // msg_namelen: room for the sender in each buffer
    }

    /**
     * Registers a buffer ring for {@code socket}.
     *
     * @return the receiver, or {@code null} if the kernel refuses provided-buffer rings (the
     *     errno is in {@code refusal[0]})
     */
    static MultishotReceiver create(UringDatagram socket, UringBackend backend, int bufferGroup,
            int maxDatagramSize, int[] refusal) {
        MultishotReceiver receiver = new MultishotReceiver(socket, backend, bufferGroup, maxDatagramSize);
        Memory registration = NativeMemory.allocate(40);
        try {
            registration.setLong(0, receiver.ringAddress);
            registration.setInt(8, receiver.count);
            registration.setShort(12, (short) bufferGroup);
            int result = backend.ring().register(Ring.REGISTER_PBUF_RING, NativeMemory.address(registration), 1);
            if (result < 0) {
                refusal[0] = -result;
                receiver.freeMemory();
                return null;
            }
        } finally {
            NativeMemory.free(registration);
        }
        for (int i = 0; i < receiver.count; i++) {
            receiver.recycle(i);
        }
        return receiver;
    }

    @Override
    public void start() {
        backend.register(this);
        arm();
    }

    private void arm() {
        int sqe = backend.sqe();
        if (sqe < 0) {
            backend.armLater(socket);
            return;
        }
        Ring r = backend.ring();
        r.prepare(sqe, Ring.OP_RECVMSG, socket.fd, NativeMemory.address(template), 1, 0, id);
        ByteBuffer sqes = r.sqes();
        sqes.put(sqe + 1, (byte) Ring.SQE_BUFFER_SELECT);
        sqes.putShort(sqe + 2, (short) Ring.RECV_MULTISHOT);
        sqes.putShort(sqe + 40, (short) bufferGroup);
        armed = true;
        socket.opStarted();
    }

    @Override
    public void rearm() {
        if (!armed) {
            arm();
        }
    }

    @Override
    void complete(int result, int flags) {
        boolean more = (flags & Ring.CQE_F_MORE) != 0;
        if (!more) {
            armed = false;
            socket.opEnded();
        }
        if ((flags & Ring.CQE_F_BUFFER) != 0) {
            int bid = flags >>> 16;
            if (result >= 0) {
                deliver(bid, result);
            }
            recycle(bid);
        } else if (result < 0 && result != -Errno.ENOBUFS) {
            socket.receiveFailed(-result);
        }
        if (!more) {
            socket.receiveEnded();
        }
    }

    private void deliver(int bid, int result) {
        int base = bid * bufferSize;
        int nameLength = Math.min(buffersView.getInt(base), SockAddr.SIZE);
        int payloadLength = buffersView.getInt(base + 8);
        int messageFlags = buffersView.getInt(base + 12);
        InetSocketAddress sender = socket.senders.decode(buffersView, base + 16, nameLength);
        if ((messageFlags & MSG_TRUNC) != 0 || payloadLength > maxDatagramSize || payloadLength > result - HEADER) {
            socket.truncated(payloadLength, sender, maxDatagramSize);
            return;
        }
        ByteBuffer payload = payloads[bid];
        payload.clear().limit(payloadLength);
        payload.order(ByteOrder.BIG_ENDIAN); // as every ByteBuffer starts; a listener may have changed it
        socket.received(payload, sender);
    }

    private void recycle(int bid) {
        int entry = (tail & (count - 1)) * 16;
        ring.putLong(entry, buffersAddress + (long) bid * bufferSize);
        ring.putInt(entry + 8, bufferSize);
        ring.putShort(entry + 12, (short) bid);
        tail++;
        SHORT.setRelease(ring, 14, tail);
    }

    @Override
    public void free() {
        Memory registration = NativeMemory.allocate(40);
        registration.setShort(12, (short) bufferGroup);
        backend.ring().register(Ring.UNREGISTER_PBUF_RING, NativeMemory.address(registration), 1);
        NativeMemory.free(registration);
        backend.unregister(this);
        backend.releaseBufferGroup(bufferGroup);
        freeMemory();
    }

    private void freeMemory() {
        NativeMemory.free(ringMemory);
        NativeMemory.free(template);
        // buffersView is not freed: payload slices a listener kept still reach it (see above).
    }

    @Override
    public String kind() {
        return "multishot recvmsg, " + count + " provided buffers";
    }
}
