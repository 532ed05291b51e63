package dev.loopwire.loop.iocp.internal.windows;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An overlapped UDP socket associated with an {@link IocpDriver}'s completion port, with a fixed
 * set of pre-allocated {@link IocpOperation} slots whose control blocks share one native block.
 *
 * <p>The completion key of the socket is its {@link #key()}; the address of an operation's
 * {@code OVERLAPPED} is the block's address plus {@code index * OP_SIZE}, so a completion finds
 * its socket and slot by two array lookups, without a map or any allocation.
 *
 * <p><b>Lifecycle.</b> Opened by {@link IocpDriver#openDatagram}; {@link IocpDriver#close(IocpSocket)}
 * cancels what is in flight; once every posted operation has completed the driver closes the
 * handle, frees the control blocks, drops the data buffers, and reports
 * {@link IocpDriver.CompletionHandler#closed(IocpSocket)}. The key is reused only after that.
 *
 * <p><b>Thread-safety.</b> Confined to the driver's owner thread.
 */
public final class IocpSocket {

    enum State { OPEN, CLOSING, CLOSED }

    private final long handle;
    private final int family;
    private final int key;
    private final Memory block;
    private final long blockAddress;
    private final ByteBuffer view;
    private final IocpOperation[] operations;
    private final SockaddrCodec.SenderCache senders = new SockaddrCodec.SenderCache();
    int inFlight;
    State state = State.OPEN;
    private Object attachment;

    IocpSocket(long handle, int family, int key, int operationCount) {
        this.handle = handle;
        this.family = family;
        this.key = key;
        this.block = NativeMemory.allocate((long) operationCount * WinLayout.OP_SIZE);
        this.blockAddress = Pointer.nativeValue(block);
        this.view = block.getByteBuffer(0, block.size()).order(ByteOrder.LITTLE_ENDIAN);
        this.operations = new IocpOperation[operationCount];
        for (int i = 0; i < operationCount; i++) {
            int offset = i * WinLayout.OP_SIZE;
            operations[i] = new IocpOperation(this, i, offset, blockAddress + offset);
        }
    }

    /** The Winsock address family: {@code AF_INET} (2) or {@code AF_INET6} (23). */
    public int family() {
        return family;
    }

    /** Whether the socket is {@code AF_INET6} (and dual-stack). */
    public boolean isIpv6() {
        return family == Ws2_32.AF_INET6;
    }

    /** The completion key, unique among the driver's live sockets; never 0 (the wake-up key). */
    public int key() {
        return key;
    }

    /** The number of operation slots. */
    public int operations() {
        return operations.length;
    }

    /** Slot {@code index}. */
    public IocpOperation operation(int index) {
        return operations[index];
    }

    /** How many operations are posted and not yet completed. */
    public int inFlight() {
        return inFlight;
    }

    /** Whether {@link IocpDriver#close(IocpSocket)} has not been called. */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** Any object the backend wants to find again. */
    public Object attachment() {
        return attachment;
    }

    /** Sets the object returned by {@link #attachment()}. */
    public void attach(Object value) {
        attachment = value;
    }

    /**
     * The sender of a completed receive on {@code op}, decoded from its sockaddr; the same
     * instance while the sender stays the same.
     */
    public InetSocketAddress sender(IocpOperation op) {
        int length = view.getInt(op.offset() + WinLayout.OP_ADDRESS_LENGTH);
        return senders.decode(view, op.offset() + WinLayout.OP_ADDRESS, length);
    }

    long handle() {
        return handle;
    }

    ByteBuffer view() {
        return view;
    }

    /** The slot whose OVERLAPPED is at {@code overlapped}, or {@code null} if none is. */
    IocpOperation operationAt(long overlapped) {
        long delta = overlapped - blockAddress;
        if (delta < 0 || delta % WinLayout.OP_SIZE != 0 || delta / WinLayout.OP_SIZE >= operations.length) {
            return null;
        }
        return operations[(int) (delta / WinLayout.OP_SIZE)];
    }

    void release() {
        for (IocpOperation op : operations) {
            op.releaseBuffer();
        }
        NativeMemory.free(block);
    }

    @Override
    public String toString() {
        return "iocp-socket-" + key + "[" + (isIpv6() ? "AF_INET6" : "AF_INET") + " " + state
                + " inFlight=" + inFlight + "]";
    }
}
