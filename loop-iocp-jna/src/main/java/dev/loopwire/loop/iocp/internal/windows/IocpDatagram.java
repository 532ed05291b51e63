package dev.loopwire.loop.iocp.internal.windows;

import com.sun.jna.Memory;
import dev.loopwire.loop.CompletionPort.DatagramListener;
import dev.loopwire.loop.iocp.internal.BackendSocket;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A UDP socket of the {@link IocpBackend}: {@link #RECEIVES} receive operations kept posted once
 * receiving starts (IOCP has no multishot receive, so several are outstanding to absorb a burst
 * while the loop is busy) and up to {@link #SENDS} send slots, whose native buffers are
 * allocated on first use and grown to the largest datagram sent through them.
 *
 * <p>A receive that completes with an error is reported and posted again; one that Winsock
 * refuses to start is reported and its slot stays idle, so a socket that keeps refusing
 * receives ends up with none posted rather than spinning.
 *
 * <p><b>Lifecycle.</b> {@link #close()} cancels everything in flight; when the
 * {@link IocpDriver} reports the socket closed (every operation completed, handle closed), the
 * data buffers are freed and the listener's {@code closed()} follows.
 *
 * <p><b>Thread-safety.</b> Loop thread only.
 */
final class IocpDatagram implements BackendSocket {

    /** Receive operations kept posted. */
    static final int RECEIVES = 8;
    /** Send slots, the most sends in flight at once. */
    static final int SENDS = 64;

    private static final int MIN_SEND_BUFFER = 2048;

    private enum State { OPEN, CLOSING, CLOSED }

    private final IocpBackend backend;
    private final IocpDriver driver;
    private final IocpSocket socket;
    private final DatagramListener listener;
    private final WinSocketOptions options;
    private final ByteBuffer[] receiveData = new ByteBuffer[RECEIVES];
    private final Memory[] sendMemory = new Memory[SENDS];
    private final ByteBuffer[] sendData = new ByteBuffer[SENDS];
    private final int[] freeSends = new int[SENDS];
    private int freeSendCount;
    private boolean driverClosing;
    private int maxDatagramSize;
    private boolean wantWritable;
    private boolean bound;
    private State state = State.OPEN;
    private int inflight;

    IocpDatagram(IocpBackend backend, IocpDriver driver, IocpSocket socket, DatagramListener listener) {
        this.backend = backend;
        this.driver = driver;
        this.socket = socket;
        this.listener = listener;
        this.options = new WinSocketOptions(driver, socket);
        for (int i = 0; i < SENDS; i++) {
            freeSends[freeSendCount++] = SENDS - 1 - i;
        }
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        driver.bind(socket, local);
        bound();
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        driver.connect(socket, remote);
        bound(); // connect binds an unbound socket
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
        return driver.localAddress(socket);
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
        if (this.maxDatagramSize != 0 || state != State.OPEN) {
            return;
        }
        this.maxDatagramSize = maxDatagramSize;
        if (bound) {
            arm();
        }
    }

    /**
     * Winsock fails WSARecvFrom on a socket that has no local address yet (WSAEINVAL), where Linux
     * simply waits; so receives start once the socket is bound, by bind, connect or a first send.
     */
    private void bound() {
        if (!bound) {
            bound = true;
            if (maxDatagramSize != 0 && state == State.OPEN) {
                arm();
            }
        }
    }

    private void arm() {
        for (int i = 0; i < RECEIVES; i++) {
            // Java direct memory, not NativeMemory: the listener is lent a view of it, and a view
            // a listener kept past its call must never reach freed memory (stale bytes at worst).
            // The operation slot holds it while Winsock may write; after close the GC frees it.
            ByteBuffer view = ByteBuffer.allocateDirect(maxDatagramSize).order(ByteOrder.nativeOrder());
            socket.operation(i).buffer(view);
            // Handed to the listener: big-endian, like every new ByteBuffer and the io_uring backend's.
            receiveData[i] = view.duplicate().order(ByteOrder.BIG_ENDIAN);
        }
        for (int i = 0; i < RECEIVES; i++) {
            // One refusal is reported once, not once per slot.
            if (!post(socket.operation(i))) {
                break;
            }
        }
    }

    private boolean post(IocpOperation op) {
        try {
            driver.postReceive(op);
            started();
            return true;
        } catch (IOException e) {
            // The receive never started (no completion follows); say so on the next loop turn,
            // not inside the caller's own call.
            backend.defer(() -> {
                if (state == State.OPEN) {
                    listener.failed(e);
                }
            });
            return false;
        }
    }

    @Override
    public boolean send(ByteBuffer data, InetSocketAddress target) {
        if (freeSendCount == 0) {
            wantWritable = true;
            return false;
        }
        int slot = freeSends[--freeSendCount];
        IocpOperation op = socket.operation(RECEIVES + slot);
        int size = data.remaining();
        ByteBuffer buffer = sendBuffer(slot, op, size);
        buffer.clear();
        buffer.put(data);
        try {
            driver.postSend(op, size, target);
            started();
            bound(); // a send binds an unbound socket
        } catch (IOException e) {
            freeSends[freeSendCount++] = slot;
            backend.defer(() -> {
                if (state == State.OPEN) {
                    listener.failed(e);
                }
            });
        }
        return true;
    }

    private ByteBuffer sendBuffer(int slot, IocpOperation op, int size) {
        if (sendMemory[slot] == null || sendMemory[slot].size() < size) {
            NativeMemory.free(sendMemory[slot]);
            int capacity = Math.max(MIN_SEND_BUFFER, Integer.highestOneBit(Math.max(1, size - 1)) << 1);
            sendMemory[slot] = NativeMemory.allocate(capacity);
            sendData[slot] = NativeMemory.view(sendMemory[slot]);
            op.buffer(sendData[slot]);
        }
        return sendData[slot];
    }

    /** Called by the backend for each completion of this socket's operations. */
    void completed(IocpOperation op, int bytes, int error) {
        inflight--;
        backend.opEnded();
        if (op.index() < RECEIVES) {
            receiveCompleted(op, bytes, error);
        } else {
            sendCompleted(op.index() - RECEIVES, error);
        }
    }

    private void receiveCompleted(IocpOperation op, int bytes, int error) {
        if (state != State.OPEN) {
            return;
        }
        if (error == 0) {
            ByteBuffer data = receiveData[op.index()];
            data.clear().limit(bytes);
            listener.received(data, socket.sender(op));
        } else if (error == WinsockErrors.WSAEMSGSIZE) {
            // Winsock does not tell the full length: report the least it can be.
            InetSocketAddress sender = senderOrNull(op);
            listener.oversized(maxDatagramSize + 1, maxDatagramSize, sender);
        } else if (!WinsockErrors.isAborted(error)) {
            listener.failed(WinsockErrors.exception("WSARecvFrom", error));
        }
        // The listener may have closed the socket.
        if (state == State.OPEN) {
            post(op);
        }
    }

    private InetSocketAddress senderOrNull(IocpOperation op) {
        try {
            return socket.sender(op);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void sendCompleted(int slot, int error) {
        freeSends[freeSendCount++] = slot;
        if (error != 0 && !WinsockErrors.isAborted(error)) {
            // Reported while closing too: a send accepted before close is sent or reported, never lost.
            listener.failed(WinsockErrors.exception("WSASendTo", error));
        }
        if (state == State.CLOSING) {
            closeWhenSendsAreDone();
            return;
        }
        if (wantWritable && state == State.OPEN) {
            wantWritable = false;
            listener.writable();
        }
    }

    private void started() {
        inflight++;
        backend.opStarted();
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
        closeWhenSendsAreDone();
    }

    /**
     * Closes through the driver (which cancels what is pending: the receives) once every send
     * already started has completed, so that closing never cancels an accepted datagram.
     */
    private void closeWhenSendsAreDone() {
        if (!driverClosing && freeSendCount == SENDS) {
            driverClosing = true;
            driver.close(socket);
        }
    }

    /** Called by the backend once the driver has closed the socket and reaped everything. */
    void closedByDriver() {
        state = State.CLOSED;
        for (int i = 0; i < RECEIVES; i++) {
            receiveData[i] = null;
        }
        for (int i = 0; i < SENDS; i++) {
            NativeMemory.free(sendMemory[i]);
            sendMemory[i] = null;
            sendData[i] = null;
        }
        backend.socketClosed();
        listener.closed();
    }

    @Override
    public String toString() {
        return "iocp-datagram[" + state + " " + socket + "]";
    }
}
