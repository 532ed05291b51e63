package dev.loopwire.loop.iocp.internal.uring;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Receives with a fixed number of plain RECVMSG operations kept posted, each with its own
 * msghdr, iovec, sockaddr and buffer: the fallback for kernels without provided-buffer rings.
 *
 * <p>Each payload buffer is a Java direct {@link ByteBuffer} lent to the listener as is: one a
 * listener kept past its call stays valid memory (stale bytes at worst) until the GC finds no
 * reference left; {@link #free()} frees only the headers, which are never lent out.
 *
 * <p>Loop thread only.
 */
final class PostedReceivers implements Receiver {

    static final int COUNT = 16;
    private static final int MSG_TRUNC = 0x20;

    private final UringDatagram socket;
    private final UringBackend backend;
    private final Posted[] posted;

    PostedReceivers(UringDatagram socket, UringBackend backend, int maxDatagramSize) {
        this.socket = socket;
        this.backend = backend;
        posted = new Posted[COUNT];
        for (int i = 0; i < COUNT; i++) {
            posted[i] = new Posted(maxDatagramSize);
        }
    }

    @Override
    public void start() {
        for (Posted p : posted) {
            backend.register(p);
            p.arm();
        }
    }

    @Override
    public void rearm() {
        for (Posted p : posted) {
            if (!p.armed) {
                p.arm();
            }
        }
    }

    @Override
    public void free() {
        for (Posted p : posted) {
            backend.unregister(p);
            NativeMemory.free(p.header);
        }
    }

    @Override
    public String kind() {
        return COUNT + " posted recvmsg";
    }

    private final class Posted extends Op {
        private final Memory header = NativeMemory.allocate(128);
        private final ByteBuffer headerView = NativeMemory.view(header);
        private final ByteBuffer payloadView;
        private final int capacity;
        boolean armed;

        Posted(int capacity) {
            this.capacity = capacity;
            payloadView = ByteBuffer.allocateDirect(capacity);
            long address = NativeMemory.address(header);
            headerView.putLong(0, address + 72); // msg_name
            headerView.putLong(16, address + 56); // msg_iov
            headerView.putLong(24, 1);
            headerView.putLong(56, NativeMemory.address(Native.getDirectBufferPointer(payloadView)));
            headerView.putLong(64, capacity);
        }

        void arm() {
            int sqe = backend.sqe();
            if (sqe < 0) {
                backend.armLater(socket);
                return;
            }
            headerView.putInt(8, SockAddr.SIZE); // msg_namelen is overwritten by each receive
            headerView.putInt(48, 0);
            backend.ring().prepare(sqe, Ring.OP_RECVMSG, socket.fd, NativeMemory.address(header), 1, 0, id);
            armed = true;
            socket.opStarted();
        }

        @Override
        void complete(int result, int flags) {
            armed = false;
            socket.opEnded();
            if (result >= 0) {
                InetSocketAddress sender = socket.senders.decode(headerView, 72,
                        Math.min(headerView.getInt(8), SockAddr.SIZE));
                if ((headerView.getInt(48) & MSG_TRUNC) != 0) {
                    socket.truncated(result, sender, capacity);
                } else {
                    payloadView.clear().limit(result);
                    payloadView.order(ByteOrder.BIG_ENDIAN); // as every ByteBuffer starts; a listener may have changed it
                    socket.received(payloadView, sender);
                }
            } else {
                socket.receiveFailed(-result);
            }
            socket.receiveEnded();
        }
    }
}
