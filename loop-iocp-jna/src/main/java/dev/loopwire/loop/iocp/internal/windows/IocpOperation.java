package dev.loopwire.loop.iocp.internal.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * One reusable overlapped operation slot of an {@link IocpSocket}: its control block
 * ({@code OVERLAPPED}, {@code WSABUF}, flags, address length and sockaddr, see
 * {@link WinLayout}) in the socket's native memory, plus the data buffer it transfers into or out
 * of.
 *
 * <p><b>Lifecycle.</b> Created with its socket, never per datagram. The owner gives it a direct
 * buffer with {@link #buffer(ByteBuffer)}, then posts it with {@link IocpDriver#postReceive} or
 * {@link IocpDriver#postSend}; from then until its completion is handed to the
 * {@link IocpDriver.CompletionHandler} it is in flight, and the slot holds a strong reference to
 * the buffer so that the garbage collector cannot free memory Winsock is still writing. When the
 * socket has closed the buffer reference is dropped.
 *
 * <p><b>Thread-safety.</b> Confined to the driver's owner thread.
 */
public final class IocpOperation {

    /** What an operation was last posted as. */
    public enum Kind { NONE, RECEIVE, SEND }

    private final IocpSocket socket;
    private final int index;
    private final int offset;
    private final long address;
    private ByteBuffer buffer;
    private long bufferAddress;
    Kind kind = Kind.NONE;
    boolean inFlight;
    private Object attachment;

    IocpOperation(IocpSocket socket, int index, int offset, long address) {
        this.socket = socket;
        this.index = index;
        this.offset = offset;
        this.address = address;
    }

    /**
     * Sets the data buffer, from index 0 to its capacity; receives fill it, sends read it.
     *
     * @param direct a direct buffer; the slot keeps it reachable while the operation is in flight
     * @throws IllegalArgumentException if the buffer is not direct
     * @throws IllegalStateException if the operation is in flight
     */
    public void buffer(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("Buffer '" + direct
                    + "' is a heap buffer; Winsock needs native memory, use ByteBuffer.allocateDirect");
        }
        checkIdle();
        Pointer p = Native.getDirectBufferPointer(direct);
        buffer = direct;
        bufferAddress = Pointer.nativeValue(p);
        socket.view().putLong(offset + WinLayout.OP_WSABUF + WinLayout.WSABUF_BUF, bufferAddress);
    }

    /** The data buffer, or {@code null} before {@link #buffer(ByteBuffer)}. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** The socket this slot belongs to. */
    public IocpSocket socket() {
        return socket;
    }

    /** The slot's index within its socket, 0 to {@code socket.operations() - 1}. */
    public int index() {
        return index;
    }

    /** What the operation was last posted as. */
    public Kind kind() {
        return kind;
    }

    /** Whether it is posted and its completion not yet handed out. */
    public boolean isInFlight() {
        return inFlight;
    }

    /** Any object the backend wants to find again on completion. */
    public Object attachment() {
        return attachment;
    }

    /** Sets the object returned by {@link #attachment()}. */
    public void attach(Object value) {
        attachment = value;
    }

    int offset() {
        return offset;
    }

    long address() {
        return address;
    }

    long bufferAddress() {
        return bufferAddress;
    }

    void releaseBuffer() {
        buffer = null;
        bufferAddress = 0;
    }

    void checkIdle() {
        if (inFlight) {
            throw new IllegalStateException("Operation '" + this + "' is in flight; wait for its completion");
        }
    }

    @Override
    public String toString() {
        return "op-" + socket.key() + "." + index + "[" + kind + (inFlight ? " in flight" : "") + "]";
    }
}
