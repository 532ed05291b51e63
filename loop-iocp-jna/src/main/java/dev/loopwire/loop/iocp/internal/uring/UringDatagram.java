package dev.loopwire.loop.iocp.internal.uring;

import dev.loopwire.loop.CompletionPort.DatagramListener;
import dev.loopwire.loop.iocp.internal.BackendSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A native UDP socket driven by io_uring: a receiver ({@link MultishotReceiver} or
 * {@link PostedReceivers}) and a pool of {@link SendSlot}s, created lazily up to
 * {@link #MAX_SEND_SLOTS}.
 *
 * <p>Closing submits one {@code ASYNC_CANCEL} for every operation on the socket's fd; once that
 * and every cancelled operation have completed, the fd is closed, the memory freed and
 * {@code closed()} reported.
 *
 * <p>Loop thread only.
 */
final class UringDatagram implements BackendSocket {

    static final int MAX_SEND_SLOTS = 256;

    private enum State { OPEN, CLOSING, CLOSED }

    final int fd;
    final boolean ipv6;
    final SockAddr senders = new SockAddr();
    private final UringBackend backend;
    private final DatagramListener listener;
    private final SocketOptions options;
    private final SendSlot[] freeSlots = new SendSlot[MAX_SEND_SLOTS];
    private final SendSlot[] allSlots = new SendSlot[MAX_SEND_SLOTS];
    private int freeCount;
    private int slotCount;
    private final ByteBuffer target = ByteBuffer.allocate(SockAddr.SIZE).order(ByteOrder.nativeOrder());
    private InetSocketAddress lastTarget;
    private int targetLength;
    private Receiver receiver;
    private final CancelOp cancel = new CancelOp();
    private State state = State.OPEN;
    private boolean cancelSubmitted;
    private boolean cancelDone;
    private boolean wantWritable;
    private int inflight;

    UringDatagram(UringBackend backend, int fd, boolean ipv6, DatagramListener listener) {
        this.backend = backend;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.listener = listener;
        this.options = new SocketOptions(fd, ipv6, backend.scratch());
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        options.bind(local);
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        options.connect(remote);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        options.set(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return options.get(option);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return options.localAddress();
    }

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface) throws IOException {
        options.membership(true, group, networkInterface);
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface) throws IOException {
        options.membership(false, group, networkInterface);
    }

    @Override
    public void startReceiving(int maxDatagramSize) {
        if (receiver != null || state != State.OPEN) {
            return;
        }
        receiver = backend.newReceiver(this, maxDatagramSize);
        receiver.start();
    }

    /** How this socket receives, for tests and toString; {@code null} before startReceiving. */
    String receiverKind() {
        return receiver == null ? null : receiver.kind();
    }

    @Override
    public boolean send(ByteBuffer data, InetSocketAddress to) {
        if (freeCount == 0 && !addSlot()) {
            wantWritable = true;
            return false;
        }
        int sqe = backend.sqe();
        if (sqe < 0) {
            wantWritable = true;
            if (sendsInFlight() == 0) {
                // No send of ours is in flight, so no completion of ours would ever say writable():
                // retry at the start of the next turn, once the kernel has taken the queue.
                backend.armLater(this);
            }
            return false;
        }
        SendSlot slot = freeSlots[--freeCount];
        if (to == null) {
            slot.fill(data, null, 0);
        } else {
            if (to != lastTarget) {
                targetLength = SockAddr.encode(to, ipv6, target, 0);
                lastTarget = to;
            }
            slot.fill(data, target, targetLength);
        }
        backend.ring().prepare(sqe, Ring.OP_SENDMSG, fd, slot.headerAddress, 1, 0, slot.id);
        opStarted();
        return true;
    }

    private boolean addSlot() {
        if (slotCount == MAX_SEND_SLOTS) {
            return false;
        }
        SendSlot slot = new SendSlot(this);
        backend.register(slot);
        allSlots[slotCount++] = slot;
        freeSlots[freeCount++] = slot;
        return true;
    }

    void sendCompleted(SendSlot slot, int result) {
        opEnded();
        freeSlots[freeCount++] = slot;
        if (result < 0) {
            // Reported while closing too: a send accepted before close is sent or reported, never lost.
            listener.failed(Errno.exception("sendmsg", -result));
        }
        if (state == State.OPEN) {
            if (wantWritable) {
                wantWritable = false;
                listener.writable();
            }
        } else {
            cancelWhenSendsAreDone();
            maybeFinish();
        }
    }

    /** Sends in native slots, submitted and not yet completed. */
    private int sendsInFlight() {
        return slotCount - freeCount;
    }

    void received(ByteBuffer payload, InetSocketAddress sender) {
        if (state == State.OPEN) {
            listener.received(payload, sender);
        }
    }

    void truncated(int length, InetSocketAddress sender, int max) {
        if (state == State.OPEN) {
            listener.oversized(length, max, sender);
        }
    }

    void receiveFailed(int errno) {
        if (state == State.OPEN) {
            listener.failed(Errno.exception("recvmsg", errno));
        }
    }

    void receiveEnded() {
        if (state == State.OPEN) {
            receiver.rearm();
        } else {
            maybeFinish();
        }
    }

    /**
     * Called by the backend at the start of a turn when an arm, or a send with no other send in
     * flight, could not get an SQE earlier.
     */
    void armAgain() {
        if (state != State.OPEN) {
            return;
        }
        if (receiver != null) {
            receiver.rearm();
        }
        if (wantWritable && sendsInFlight() == 0) {
            wantWritable = false;
            listener.writable();
        }
    }

    void opStarted() {
        inflight++;
        backend.opStarted();
    }

    void opEnded() {
        inflight--;
        backend.opEnded();
    }

    @Override
    public int inflight() {
        return inflight;
    }

    @Override
    public void close() {
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSING;
        backend.register(cancel);
        cancelWhenSendsAreDone();
    }

    /**
     * Cancels what is left on the socket (its receives) once every send already submitted has
     * completed: cancelling by fd would also cancel a send the kernel parked for a full send
     * buffer, and that datagram would be lost without a word. A send stuck for good is bounded
     * by the loop's close deadline.
     */
    private void cancelWhenSendsAreDone() {
        if (!cancelSubmitted && sendsInFlight() == 0) {
            cancelSubmitted = true;
            cancel.submit();
        }
    }

    private void maybeFinish() {
        if (state != State.CLOSING || !cancelDone || inflight != 0) {
            return;
        }
        state = State.CLOSED;
        if (receiver != null) {
            receiver.free();
        }
        for (int i = 0; i < slotCount; i++) {
            backend.unregister(allSlots[i]);
            allSlots[i].free();
            allSlots[i] = null;
        }
        freeCount = 0;
        backend.unregister(cancel);
        LibC.close(fd);
        backend.socketClosed(this);
        listener.closed();
    }

    /** Cancels everything on the socket's fd in one SQE. */
    private final class CancelOp extends Op {
        void submit() {
            int sqe = backend.sqeOrDefer(this::submit);
            if (sqe < 0) {
                return;
            }
            backend.ring().prepare(sqe, Ring.OP_ASYNC_CANCEL, fd, 0, 0, 0, id);
            backend.ring().sqes().putInt(sqe + 28, Ring.CANCEL_FD | Ring.CANCEL_ALL);
            backend.opStarted();
        }

        @Override
        void complete(int result, int flags) {
            backend.opEnded();
            if (result == -Errno.EINVAL) {
                // A kernel before 5.19 has no IORING_ASYNC_CANCEL_FD: shutting the socket down
                // completes its pending receives instead.
                LibC.shutdown(fd, LibC.SHUT_RDWR);
            }
            cancelDone = true;
            maybeFinish();
        }
    }
}
