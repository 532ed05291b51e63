package dev.loopwire.loop.iocp.internal.windows;

import static dev.loopwire.loop.iocp.internal.windows.WinLayout.ENTRY_BYTES;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.ENTRY_KEY;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.ENTRY_OVERLAPPED;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.ENTRY_SIZE;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.OP_ADDRESS;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.OP_ADDRESS_LENGTH;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.OP_FLAGS;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.OP_WSABUF;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.OVERLAPPED_INTERNAL;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.SOCKADDR_STORAGE_SIZE;
import static dev.loopwire.loop.iocp.internal.windows.WinLayout.WSABUF_LEN;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Windows half of a completion backend: one I/O completion port and the overlapped UDP
 * sockets associated with it, with receive and send operations posted from pre-allocated slots
 * and their completions handed to a {@link CompletionHandler}.
 *
 * <p>A completion is identified by its completion key (the socket's {@link IocpSocket#key()}) and
 * its {@code OVERLAPPED} address (a slot of that socket); success is read from
 * {@code OVERLAPPED.Internal} (the request's final status, 0 for success), and only a failed
 * operation costs a second call, {@code WSAGetOverlappedResult}, to learn its Winsock error.
 * Immediate successes are not skipped ({@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS} is not set):
 * every posted operation completes through the port, so there is one completion path, and the
 * mode's caveat for non-IFS layered providers does not apply.
 *
 * <p><b>Lifecycle.</b> {@link #open} starts Winsock and creates the port; {@link #close()} closes
 * every socket, waits (bounded) until the operating system has let go of every operation's
 * memory, closes the port and stops Winsock. Memory that is still owned by an operation the
 * system never completed is deliberately leaked (and logged) rather than freed under it.
 *
 * <p><b>Thread-safety.</b> One owner thread (the loop thread) calls everything except
 * {@link #wakeup()}, which is safe from any thread and coalesces: a wake-up already queued and
 * not yet consumed by {@link #poll} is not posted again.
 */
public final class IocpDriver implements AutoCloseable {

    /** Receives what {@link IocpDriver#poll} dequeues, on the owner thread. */
    public interface CompletionHandler {

        /**
         * An operation completed; it is no longer in flight and may be posted again at once.
         *
         * @param op the slot, with the {@link IocpOperation#kind()} it was posted as
         * @param bytes bytes transferred (for a truncated datagram, the truncated length)
         * @param error 0 on success, else the Winsock or Win32 error code; see {@link WinsockErrors}
         */
        void completed(IocpOperation op, int bytes, int error);

        /** A socket closed: its handle is closed and every operation it posted has completed. */
        void closed(IocpSocket socket);
    }

    /**
     * Receives the completions dequeued under keys from {@link LoopIocpPort#KEY_BASE}: those of
     * the raw {@code IocpPort}'s registrations.
     */
    interface RawCompletions {

        /** @return whether the completion matched an operation in flight */
        boolean completed(long key, long overlapped, int bytes);
    }

    /** The completion key of wake-ups; sockets have keys from 1. */
    static final long WAKE_KEY = 0;

    private static final System.Logger LOG = System.getLogger(IocpDriver.class.getName());
    /** Native memory the system never released; kept reachable for the life of the process. */
    private static final List<Object> LEAKED = new ArrayList<>();
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    // Scratch block of the poll: the entry count, and WSAGetOverlappedResult's outputs.
    private static final int S_REMOVED = 0;
    private static final int S_BYTES = 4;
    private static final int S_FLAGS = 8;
    private static final int S_SIZE = 16;

    private final WinApi api;
    private final SocketCalls calls;
    private final long port;
    private final int capacity;
    private final Memory entries;
    private final long entriesAddress;
    private final ByteBuffer entryView;
    private final Memory scratch;
    private final long scratchAddress;
    private final ByteBuffer scratchView;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Object portLock = new Object();
    private volatile boolean closed;
    private final SocketTable sockets = new SocketTable();
    private final List<IocpSocket> closing = new ArrayList<>();
    private RawCompletions raw;
    /** How long {@link #close()} waits for the system to finish what it still owns; tests shorten it. */
    long closeWaitNanos = CLOSE_WAIT_NANOS;

    private IocpDriver(WinApi api, long port, int capacity, Memory entries, Memory scratch) {
        this.api = api;
        this.calls = new SocketCalls(api);
        this.port = port;
        this.capacity = capacity;
        this.entries = entries;
        this.entriesAddress = Pointer.nativeValue(entries);
        this.entryView = entries.getByteBuffer(0, entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        this.scratch = scratch;
        this.scratchAddress = Pointer.nativeValue(scratch);
        this.scratchView = scratch.getByteBuffer(0, scratch.size()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Starts Winsock 2.2 and creates a completion port.
     *
     * @param maxCompletionsPerPoll how many completions one {@link #poll} may dequeue, 1 to 4096
     * @throws IOException if Winsock or the port cannot be set up
     * @throws IllegalArgumentException if the count is out of range
     */
    public static IocpDriver open(int maxCompletionsPerPoll) throws IOException {
        return open(WinApi.NATIVE, maxCompletionsPerPoll);
    }

    /** {@link #open(int)} on the given API; tests pass a simulated one. */
    static IocpDriver open(WinApi api, int maxCompletionsPerPoll) throws IOException {
        if (maxCompletionsPerPoll < 1 || maxCompletionsPerPoll > 4096) {
            throw new IllegalArgumentException("maxCompletionsPerPoll '" + maxCompletionsPerPoll
                    + "' is out of range; use 1 to 4096");
        }
        Memory wsaData = NativeMemory.allocate(512); // sizeof(WSADATA) is 408 on x64
        try {
            int error = api.WSAStartup(Ws2_32.WINSOCK_2_2, Pointer.nativeValue(wsaData));
            if (error != 0) {
                throw WinsockErrors.exception("WSAStartup", error);
            }
        } finally {
            NativeMemory.free(wsaData);
        }
        long port = api.CreateIoCompletionPort(Kernel32Ex.INVALID_HANDLE_VALUE, 0, 0, 1);
        if (port == 0) {
            int error = api.lastError();
            api.WSACleanup();
            throw WinsockErrors.exception("CreateIoCompletionPort", error);
        }
        Memory entries = NativeMemory.allocate((long) maxCompletionsPerPoll * ENTRY_SIZE);
        Memory scratch = NativeMemory.allocate(S_SIZE);
        return new IocpDriver(api, port, maxCompletionsPerPoll, entries, scratch);
    }

    /**
     * Opens an overlapped UDP socket and associates it with the port. An IPv6 socket is made
     * dual-stack ({@code IPV6_V6ONLY} off; Windows defaults to on). ICMP port-unreachable
     * reporting ({@code SIO_UDP_CONNRESET}) is switched off, so an unreachable peer does not
     * fail the next receive; the event on the socket handle is not signalled on completion.
     *
     * @param family {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6}
     * @param operations the number of operation slots, 1 to 65,536
     * @throws UnsupportedOperationException for any other family
     * @throws IOException if Winsock refuses; nothing stays open then
     */
    public IocpSocket openDatagram(ProtocolFamily family, int operations) throws IOException {
        checkOpen();
        int af;
        if (family == StandardProtocolFamily.INET) {
            af = Ws2_32.AF_INET;
        } else if (family == StandardProtocolFamily.INET6) {
            af = Ws2_32.AF_INET6;
        } else {
            throw new UnsupportedOperationException("Protocol family '" + family
                    + "' is not supported by IOCP datagram sockets; use StandardProtocolFamily.INET or INET6");
        }
        if (operations < 1 || operations > 65_536) {
            throw new IllegalArgumentException("operations '" + operations + "' is out of range; use 1 to 65536");
        }
        long handle = calls.open(af);
        int key = sockets.reserve();
        try {
            calls.associate(handle, port, key);
        } catch (IOException | RuntimeException e) {
            api.closesocket(handle);
            sockets.release(key);
            throw e;
        }
        IocpSocket socket = new IocpSocket(handle, af, key, operations);
        sockets.add(socket);
        return socket;
    }

    /** Binds {@code socket}; port 0 picks an ephemeral port. */
    public void bind(IocpSocket socket, InetSocketAddress local) throws IOException {
        checkUsable(socket);
        calls.bind(socket.handle(), socket.isIpv6(), local);
    }

    /** Connects {@code socket}: sends without a target go to {@code remote}, and only its datagrams arrive. */
    public void connect(IocpSocket socket, InetSocketAddress remote) throws IOException {
        checkUsable(socket);
        calls.connect(socket.handle(), socket.isIpv6(), remote);
    }

    /** The address {@code socket} is bound to ({@code getsockname}), or {@code null} if it is not bound. */
    public InetSocketAddress localAddress(IocpSocket socket) throws IOException {
        checkUsable(socket);
        return calls.localAddress(socket.handle());
    }

    /** Sets an {@code int}-valued option ({@code setsockopt}); levels and names as in the SDK. */
    public void setIntOption(IocpSocket socket, int level, int name, int value) throws IOException {
        checkUsable(socket);
        calls.setInt(socket.handle(), level, name, value);
    }

    /** Reads an {@code int}-valued option ({@code getsockopt}). */
    public int getIntOption(IocpSocket socket, int level, int name) throws IOException {
        checkUsable(socket);
        return calls.getInt(socket.handle(), level, name);
    }

    /** Sets an option whose value is a structure, such as {@code ip_mreq}, given as its bytes. */
    public void setRawOption(IocpSocket socket, int level, int name, byte[] value) throws IOException {
        checkUsable(socket);
        calls.setRaw(socket.handle(), level, name, value);
    }

    /**
     * Posts a receive into the whole of {@code op}'s buffer ({@code WSARecvFrom}). On return the
     * operation is in flight; its completion comes through {@link #poll}.
     *
     * @throws IOException if Winsock refused to start it; then no completion follows and the
     *     slot stays idle
     * @throws IllegalStateException if the slot is in flight, has no buffer, or its socket is closing
     */
    public void postReceive(IocpOperation op) throws IOException {
        IocpSocket socket = op.socket();
        prepare(socket, op);
        ByteBuffer view = socket.view();
        int base = op.offset();
        view.putInt(base + OP_WSABUF + WSABUF_LEN, op.buffer().capacity());
        view.putInt(base + OP_FLAGS, 0);
        view.putInt(base + OP_ADDRESS_LENGTH, SOCKADDR_STORAGE_SIZE);
        long a = op.address();
        // lpNumberOfBytesRecvd is NULL: with an OVERLAPPED, the count comes with the completion.
        int result = api.WSARecvFrom(socket.handle(), a + OP_WSABUF, 1, 0, a + OP_FLAGS,
                a + OP_ADDRESS, a + OP_ADDRESS_LENGTH, a, 0);
        started(socket, op, IocpOperation.Kind.RECEIVE, result, "WSARecvFrom");
    }

    /**
     * Posts a send of bytes 0 to {@code length} of {@code op}'s buffer ({@code WSASendTo}).
     *
     * @param target where to send, or {@code null} on a connected socket
     * @throws IOException if Winsock refused to start it; then no completion follows
     * @throws IllegalArgumentException if the length exceeds the buffer or the target cannot be
     *     reached by this socket's family
     */
    public void postSend(IocpOperation op, int length, InetSocketAddress target) throws IOException {
        IocpSocket socket = op.socket();
        prepare(socket, op);
        if (length < 0 || length > op.buffer().capacity()) {
            throw new IllegalArgumentException("Send length '" + length + "' is out of range; use 0 to the buffer's capacity "
                    + op.buffer().capacity());
        }
        ByteBuffer view = socket.view();
        int base = op.offset();
        int toLength = target == null ? 0 : SockaddrCodec.encode(target, socket.isIpv6(), view, base + OP_ADDRESS);
        view.putInt(base + OP_WSABUF + WSABUF_LEN, length);
        long a = op.address();
        // A NULL lpTo sends to the connected peer.
        int result = api.WSASendTo(socket.handle(), a + OP_WSABUF, 1, 0, 0,
                target == null ? 0 : a + OP_ADDRESS, toLength, a, 0);
        started(socket, op, IocpOperation.Kind.SEND, result, "WSASendTo");
    }

    private void prepare(IocpSocket socket, IocpOperation op) {
        checkUsable(socket);
        op.checkIdle();
        if (op.buffer() == null) {
            throw new IllegalStateException("Operation '" + op + "' has no buffer; call buffer(ByteBuffer) first");
        }
        ByteBuffer view = socket.view();
        int base = op.offset();
        // A fresh OVERLAPPED for every request (Internal, InternalHigh, Offset/OffsetHigh, hEvent).
        view.putLong(base + OVERLAPPED_INTERNAL, 0);
        view.putLong(base + 8, 0);
        view.putLong(base + 16, 0);
        view.putLong(base + 24, 0);
    }

    private void started(IocpSocket socket, IocpOperation op, IocpOperation.Kind kind, int result, String call)
            throws IOException {
        if (result != 0) {
            int error = api.lastError();
            // Any error but WSA_IO_PENDING means the request never started: no completion will come.
            if (error != WinsockErrors.ERROR_IO_PENDING) {
                throw WinsockErrors.exception(call, error);
            }
        }
        // 0 (finished at once) also queues a completion packet, as skip-on-success is not set.
        op.kind = kind;
        op.inFlight = true;
        socket.inFlight++;
    }

    /** Cancels every operation in flight on {@code socket} ({@code CancelIoEx}); they complete with ERROR_OPERATION_ABORTED. */
    public void cancel(IocpSocket socket) throws IOException {
        if (socket.state == IocpSocket.State.CLOSED) {
            return;
        }
        if (api.CancelIoEx(socket.handle(), 0) == 0) {
            int error = api.lastError();
            if (error != Kernel32Ex.ERROR_NOT_FOUND) {
                throw WinsockErrors.exception("CancelIoEx", error);
            }
        }
    }

    /**
     * Starts closing {@code socket}: cancels what is in flight; once all of it has completed, a
     * later {@link #poll} closes the handle, frees the slots and reports
     * {@link CompletionHandler#closed}. A second call is a no-op.
     */
    public void close(IocpSocket socket) {
        if (socket.state != IocpSocket.State.OPEN) {
            return;
        }
        socket.state = IocpSocket.State.CLOSING;
        closing.add(socket);
        try {
            cancel(socket);
        } catch (IOException e) {
            // closesocket still cancels them; the socket finishes closing in poll either way.
            LOG.log(System.Logger.Level.WARNING, "CancelIoEx on " + socket + " failed", e);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for completions and hands each to {@code handler}, then
     * finishes closing sockets whose last operation has completed. Returns early on
     * {@link #wakeup()}; waits not at all if a socket is ready to finish closing.
     *
     * @param timeoutMillis 0 to poll, -1 to wait without limit
     * @return the number of operation completions handed out (wake-ups are not counted)
     * @throws IOException if the port itself fails
     * @throws RuntimeException the first one the handler threw, after every dequeued completion
     *     has still been handed out
     */
    public int poll(int timeoutMillis, CompletionHandler handler) throws IOException {
        checkOpen();
        int timeout = readyToClose() ? 0 : timeoutMillis;
        RuntimeException failure = null;
        int handled = 0;
        if (api.GetQueuedCompletionStatusEx(port, entriesAddress, capacity, scratchAddress + S_REMOVED,
                timeout, 0) == 0) {
            int error = api.lastError();
            if (error != Kernel32Ex.WAIT_TIMEOUT) {
                throw WinsockErrors.exception("GetQueuedCompletionStatusEx", error);
            }
        } else {
            int removed = scratchView.getInt(S_REMOVED);
            for (int i = 0; i < removed; i++) {
                try {
                    if (dispatch(i * ENTRY_SIZE, handler)) {
                        handled++;
                    }
                } catch (RuntimeException e) {
                    failure = add(failure, e);
                }
            }
        }
        try {
            finishClosing(handler);
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
        return handled;
    }

    private boolean dispatch(int entry, CompletionHandler handler) {
        long key = entryView.getLong(entry + ENTRY_KEY);
        long overlapped = entryView.getLong(entry + ENTRY_OVERLAPPED);
        int bytes = entryView.getInt(entry + ENTRY_BYTES);
        if (key == WAKE_KEY && overlapped == 0) {
            wakePending.set(false);
            return false;
        }
        if (key >= LoopIocpPort.KEY_BASE) {
            return raw != null && raw.completed(key, overlapped, bytes);
        }
        IocpSocket socket = sockets.get(key);
        IocpOperation op = socket == null ? null : socket.operationAt(overlapped);
        if (op == null || !op.inFlight) {
            LOG.log(System.Logger.Level.WARNING, "Ignored a completion with key " + key + " and OVERLAPPED 0x"
                    + Long.toHexString(overlapped) + " that matches no operation in flight");
            return false;
        }
        int error = 0;
        if (socket.view().getLong(op.offset() + OVERLAPPED_INTERNAL) != 0) {
            // Internal holds the request's final NTSTATUS; WSAGetOverlappedResult translates a
            // failure into its Winsock error (TRUE if it was a success status after all).
            if (api.WSAGetOverlappedResult(socket.handle(), op.address(), scratchAddress + S_BYTES, 0,
                    scratchAddress + S_FLAGS) == 0) {
                error = api.lastError();
            }
        }
        op.inFlight = false;
        socket.inFlight--;
        handler.completed(op, bytes, error);
        return true;
    }

    private boolean readyToClose() {
        for (IocpSocket s : closing) {
            if (s.inFlight == 0) {
                return true;
            }
        }
        return false;
    }

    private void finishClosing(CompletionHandler handler) {
        RuntimeException failure = null;
        for (int i = closing.size() - 1; i >= 0; i--) {
            IocpSocket socket = closing.get(i);
            if (socket.inFlight != 0) {
                continue;
            }
            closing.remove(i);
            release(socket);
            try {
                handler.closed(socket);
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void release(IocpSocket socket) {
        if (api.closesocket(socket.handle()) != 0) {
            LOG.log(System.Logger.Level.WARNING, "closesocket on " + socket + " failed: "
                    + WinsockErrors.describe(api.lastError()));
        }
        socket.state = IocpSocket.State.CLOSED;
        sockets.remove(socket);
        socket.release();
    }

    /** Makes a {@link #poll} in progress, or the next one, return; safe from any thread. */
    public void wakeup() {
        if (!wakePending.compareAndSet(false, true)) {
            return;
        }
        synchronized (portLock) {
            // The port handle value could be reused by another object once closed.
            if (closed) {
                return;
            }
            if (api.PostQueuedCompletionStatus(port, 0, WAKE_KEY, 0) == 0) {
                wakePending.set(false);
                LOG.log(System.Logger.Level.WARNING, "PostQueuedCompletionStatus failed: "
                        + WinsockErrors.describe(api.lastError()));
            }
        }
    }

    /** Where completions under the raw port's keys go. */
    void rawCompletions(RawCompletions completions) {
        raw = completions;
    }

    /** The completion port handle, for associations and posts. */
    long port() {
        return port;
    }

    WinApi api() {
        return api;
    }

    /** The number of sockets not yet fully closed. */
    public int sockets() {
        return sockets.size();
    }

    /**
     * Closes every socket, waits up to 5 seconds for their operations to complete (without
     * reporting them), closes the port and stops Winsock. A second call is a no-op.
     */
    @Override
    public void close() {
        close(() -> false);
    }

    /**
     * {@link #close()}, also draining while {@code rawBusy} says the raw port still has
     * operations the system owns (their completions go to the {@link RawCompletions}, which
     * then only releases memory).
     */
    void close(java.util.function.BooleanSupplier rawBusy) {
        if (closed) {
            return;
        }
        for (IocpSocket s : sockets.all()) {
            close(s);
        }
        CompletionHandler discard = new CompletionHandler() {
            @Override
            public void completed(IocpOperation op, int bytes, int error) {
            }

            @Override
            public void closed(IocpSocket socket) {
            }
        };
        long deadline = System.nanoTime() + closeWaitNanos;
        try {
            while ((sockets.size() > 0 || rawBusy.getAsBoolean()) && System.nanoTime() - deadline < 0) {
                poll(100, discard);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Draining completions on close failed", e);
        }
        for (IocpSocket s : sockets.all()) {
            // The system still owns this memory: never free it, only close the handle.
            api.closesocket(s.handle());
            synchronized (LEAKED) {
                LEAKED.add(s);
            }
            LOG.log(System.Logger.Level.WARNING, s + " still had operations in flight at close;"
                    + " its native memory is kept for the life of the process");
        }
        sockets.clear();
        synchronized (portLock) {
            closed = true;
            api.CloseHandle(port);
        }
        NativeMemory.free(entries);
        NativeMemory.free(scratch);
        calls.free();
        api.WSACleanup();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("IOCP driver is closed");
        }
    }

    private void checkUsable(IocpSocket socket) {
        checkOpen();
        if (socket.state != IocpSocket.State.OPEN) {
            throw new IllegalStateException("Socket '" + socket + "' is closed");
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public String toString() {
        int inFlight = 0;
        for (IocpSocket s : sockets.all()) {
            inFlight += s.inFlight;
        }
        return "iocp[sockets=" + sockets.size() + " closing=" + closing.size() + " inFlight=" + inFlight
                + (closed ? " closed" : "") + "]";
    }
}
