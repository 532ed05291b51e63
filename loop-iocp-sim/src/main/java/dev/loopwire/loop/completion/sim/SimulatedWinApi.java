// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.sim;

import com.sun.jna.Pointer;
import dev.loopwire.loop.completion.internal.windows.SockaddrCodec;
import dev.loopwire.loop.completion.internal.windows.WinApi;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A simulated completion port and loopback UDP stack behind {@link WinApi}, so that the
 * driver's and backend's Java logic runs on Linux. It models only what the Winsock documentation
 * promises and the driver relies on: an overlapped call returns 0 or fails with WSA_IO_PENDING
 * and then completes through the port (an immediate success too); any other failure queues
 * nothing; the final status goes to {@code OVERLAPPED.Internal} (an NTSTATUS), which
 * {@code WSAGetOverlappedResult} turns into a Winsock error; CancelIoEx and closesocket complete
 * pending receives with STATUS_CANCELLED. It writes results into the driver's native memory at
 * the addresses it is given, as Winsock does.
 *
 * <p>It is a model written from the same reading of the documentation as the driver, so it
 * proves the driver's logic, not Windows' behaviour.
 */
public final class SimulatedWinApi implements WinApi {

    public static final long PORT = 0x7000;
    /**
     * Datagrams a socket holds while no receive is posted; more are dropped, as a full receive
     * buffer drops them. 4,096 small datagrams is what a loopback socket with the kit's 1 MiB
     * SO_RCVBUF holds; the earlier 64 dropped accepted datagrams under the kit's eight
     * concurrent senders (one run in three) and made a UDP drop look like a lost send.
     */
    static final int RECEIVE_QUEUE_DATAGRAMS = 4096;
    public static final long STATUS_CANCELLED = 0xC0000120L;
    public static final long STATUS_BUFFER_OVERFLOW = 0x80000005L;
    /** The simulator's own status for "failed with Win32/Winsock error N": 0xE000_0000 | N. */
    public static final long STATUS_ERROR = 0xE0000000L;
    /** {@code SIO_UDP_CONNRESET}, as WSAIoctl stores it among the socket's options. */
    static final int SIO_UDP_CONNRESET = 0x9800000C;

    private final ThreadLocal<Integer> lastError = ThreadLocal.withInitial(() -> 0);
    private final LinkedBlockingQueue<long[]> port = new LinkedBlockingQueue<>();
    public final Map<Long, Sock> sockets = new HashMap<>();
    /** The overlapped stream, file and extension functions of the raw IocpPort. */
    public final SimulatedOverlapped overlapped = new SimulatedOverlapped(this);
    /** The loopback stream stack. */
    final SimulatedStreams streams = new SimulatedStreams(this);
    private final Map<Integer, Sock> bound = new HashMap<>();
    private long nextHandle = 0x100;
    private int nextPort = 50_000;
    public int startups;
    /** CancelIoEx calls, and whether they complete nothing (a device that ignores cancellation). */
    public int cancels;
    public boolean ignoreCancel;
    public boolean portClosed;
    public int closedSockets;
    /** When non-zero, the next WSARecvFrom / WSASendTo fails at once with this error. */
    public int failNextReceive;
    public int failNextSend;

    public static final class Sock {
        public final long handle;
        public final int af;
        public long key;
        public boolean associated;
        public boolean listening;
        public final List<long[]> pending = new ArrayList<>(); // {overlapped, kind, buffer, length}
        public final java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        public int localPort;
        /** The address bound, such as the wildcard; {@code null} means the family's loopback. */
        public InetAddress localAddress;
        public int remotePort;
        public boolean closed;
        public final List<long[]> receives = new ArrayList<>(); // {overlapped, wsabuf, from, fromLength}
        public final ArrayDeque<Object[]> datagrams = new ArrayDeque<>(); // {byte[], source port}
        public final Map<Integer, Integer> options = new HashMap<>();
        /** A connected (or once connected) stream socket, whose I/O {@link SimulatedStreams} models. */
        public boolean stream;
        /** The other end of a loopback stream connection; {@code null} once either end closed. */
        public Sock peer;
        /** Bytes received and not yet read, {@link #inLength} of them. */
        public byte[] in = new byte[0];
        public int inLength;
        public boolean finReceived;
        public boolean resetReceived;
        public boolean shutSend;
        /** WSASends waiting for the peer's window: {OVERLAPPED (Long), bytes}. */
        public final List<Object[]> sends = new ArrayList<>();
        /** Connections the stack accepted that no AcceptEx has taken yet. */
        public final List<Sock> backlog = new ArrayList<>();
        /** An ICMP port-unreachable not yet reported: the next receive fails with it. */
        public boolean resetPending;

        Sock(long handle, int af) {
            this.handle = handle;
            this.af = af;
        }
    }

    public int fail(int error) {
        lastError.set(error);
        return -1;
    }

    private static ByteBuffer at(long address, int length) {
        return new Pointer(address).getByteBuffer(0, length);
    }

    /** A handle that is no socket (a file or pipe opened for overlapped I/O). */
    public long openFile() {
        long handle = nextHandle;
        nextHandle += 4;
        sockets.put(handle, new Sock(handle, 0));
        return handle;
    }

    /** Completions queued and not yet dequeued. */
    public int queued() {
        return port.size();
    }

    /** Queues a completion nobody posted, as a confused caller might. */
    public void injectStray(long key, long overlapped) {
        port.add(new long[] {key, overlapped, 0});
    }

    @Override
    public long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey, int threads) {
        if (fileHandle == Codes.INVALID_HANDLE_VALUE) {
            return PORT;
        }
        Sock s = sockets.get(fileHandle);
        if (s == null) {
            lastError.set(Codes.ERROR_INVALID_HANDLE);
            return 0;
        }
        if (s.associated) { // a handle is associated with one port for life
            lastError.set(Codes.ERROR_INVALID_PARAMETER);
            return 0;
        }
        s.associated = true;
        s.key = completionKey;
        return existingPort;
    }

    @Override
    public int GetQueuedCompletionStatusEx(long p, long entries, int count, long numRemoved, int ms, int alertable) {
        long[] first;
        try {
            first = ms < 0 ? port.take() : port.poll(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            first = null;
        }
        if (first == null) {
            lastError.set(Codes.WAIT_TIMEOUT);
            return 0;
        }
        int n = 0;
        Pointer e = new Pointer(entries);
        for (long[] c = first; c != null; c = n < count ? port.poll() : null) {
            e.setLong(n * 32L, c[0]);
            e.setLong(n * 32L + 8, c[1]);
            e.setLong(n * 32L + 16, 0);
            e.setInt(n * 32L + 24, (int) c[2]);
            n++;
        }
        new Pointer(numRemoved).setInt(0, n);
        return 1;
    }

    @Override
    public int PostQueuedCompletionStatus(long p, int bytes, long completionKey, long overlapped) {
        port.add(new long[] {completionKey, overlapped, bytes});
        return 1;
    }

    public void complete(Sock s, long overlapped, long status, int bytes) {
        new Pointer(overlapped).setLong(0, status);
        port.add(new long[] {s.key, overlapped, bytes});
    }

    @Override
    public int CancelIoEx(long handle, long overlapped) {
        Sock s = sockets.get(handle);
        if (s == null) {
            lastError.set(Codes.ERROR_INVALID_HANDLE);
            return 0;
        }
        cancels++;
        if (ignoreCancel) {
            return 1; // a device that never completes what it was asked to cancel
        }
        boolean found = false;
        for (List<long[]> list : List.of(s.receives, s.pending)) {
            for (java.util.Iterator<long[]> i = list.iterator(); i.hasNext();) {
                long[] r = i.next();
                if (overlapped == 0 || r[0] == overlapped) {
                    complete(s, r[0], STATUS_CANCELLED, 0);
                    i.remove();
                    found = true;
                }
            }
        }
        for (java.util.Iterator<Object[]> i = s.sends.iterator(); i.hasNext();) {
            Object[] send = i.next();
            if (overlapped == 0 || (Long) send[0] == overlapped) {
                complete(s, (Long) send[0], STATUS_CANCELLED, 0);
                i.remove();
                found = true;
            }
        }
        if (!found) {
            lastError.set(Codes.ERROR_NOT_FOUND);
            return 0;
        }
        return 1;
    }

    @Override
    public int SetFileCompletionNotificationModes(long handle, byte flags) {
        return 1;
    }

    @Override
    public int CloseHandle(long handle) {
        portClosed = true;
        return 1;
    }

    @Override
    public int WSAStartup(short version, long wsaData) {
        startups++;
        return 0;
    }

    @Override
    public int WSACleanup() {
        startups--;
        return 0;
    }

    @Override
    public long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags) {
        long handle = nextHandle;
        nextHandle += 4;
        sockets.put(handle, new Sock(handle, af));
        return handle;
    }

    public void bindTo(Sock s, int port) {
        s.localPort = port == 0 ? nextPort++ : port;
        bound.put(s.localPort, s);
    }

    @Override
    public int bind(long socket, long name, int nameLength) {
        Sock s = sockets.get(socket);
        InetSocketAddress local = SockaddrCodec.decode(at(name, nameLength), 0, nameLength);
        int port = local.getPort();
        if (s.localPort != 0) {
            return fail(Codes.WSAEINVAL);
        }
        if (bound.containsKey(port)) {
            return fail(Codes.WSAEADDRINUSE);
        }
        bindTo(s, port);
        s.localAddress = local.getAddress();
        return 0;
    }

    @Override
    public int connect(long socket, long name, int nameLength) {
        Sock s = sockets.get(socket);
        s.remotePort = SockaddrCodec.decode(at(name, nameLength), 0, nameLength).getPort();
        if (s.localPort == 0) {
            bindTo(s, 0);
        }
        return 0;
    }

    @Override
    public int setsockopt(long socket, int level, int option, long value, int length) {
        sockets.get(socket).options.put((level << 16) | option, new Pointer(value).getInt(0));
        return 0;
    }

    @Override
    public int getsockopt(long socket, int level, int option, long value, long lengthPointer) {
        new Pointer(value).setInt(0, sockets.get(socket).options.getOrDefault((level << 16) | option, 0));
        new Pointer(lengthPointer).setInt(0, 4);
        return 0;
    }

    @Override
    public int getsockname(long socket, long name, long lengthPointer) {
        Sock s = sockets.get(socket);
        if (s.localPort == 0) {
            return fail(Codes.WSAEINVAL);
        }
        InetSocketAddress local = s.localAddress != null ? new InetSocketAddress(s.localAddress, s.localPort)
                : address(s.af, s.localPort);
        int length = SockaddrCodec.encode(local, s.af == Codes.AF_INET6, at(name, 28), 0);
        new Pointer(lengthPointer).setInt(0, length);
        return 0;
    }

    public static InetSocketAddress address(int af, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(af == Codes.AF_INET6 ? "::1" : "127.0.0.1"), port);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public int closesocket(long socket) {
        Sock s = sockets.remove(socket);
        if (s == null) {
            return fail(Codes.WSAENOTSOCK);
        }
        for (long[] r : s.receives) {
            complete(s, r[0], STATUS_CANCELLED, 0);
        }
        s.receives.clear();
        for (long[] r : s.pending) {
            complete(s, r[0], STATUS_CANCELLED, 0);
        }
        s.pending.clear();
        s.closed = true;
        bound.remove(s.localPort, s);
        if (s.stream) {
            streams.closed(s);
        }
        closedSockets++;
        return 0;
    }

    @Override
    public int WSARecvFrom(long socket, long buffers, int bufferCount, long bytesReceived, long flags, long from,
            long fromLength, long overlapped, long completionRoutine) {
        Sock s = sockets.get(socket);
        if (failNextReceive != 0) {
            int error = failNextReceive;
            failNextReceive = 0;
            return fail(error);
        }
        if (s.localPort == 0) {
            return fail(Codes.WSAEINVAL);
        }
        long[] receive = {overlapped, buffers, from, fromLength};
        if (s.resetPending) {
            s.resetPending = false;
            complete(s, overlapped, STATUS_ERROR | Codes.WSAECONNRESET, 0);
            return fail(Codes.ERROR_IO_PENDING);
        }
        Object[] waiting = s.datagrams.poll();
        if (waiting != null) {
            deliver(s, receive, (byte[]) waiting[0], (Integer) waiting[1]);
            return 0; // finished at once; its completion is queued all the same
        }
        s.receives.add(receive);
        return fail(Codes.ERROR_IO_PENDING);
    }

    private void deliver(Sock s, long[] receive, byte[] data, int sourcePort) {
        Pointer wsabuf = new Pointer(receive[1]);
        int capacity = wsabuf.getInt(0);
        Pointer buffer = wsabuf.getPointer(8);
        int n = Math.min(capacity, data.length);
        buffer.write(0, data, 0, n);
        int length = SockaddrCodec.encode(address(s.af, sourcePort), s.af == Codes.AF_INET6, at(receive[2], 28), 0);
        new Pointer(receive[3]).setInt(0, length);
        complete(s, receive[0], n < data.length ? STATUS_BUFFER_OVERFLOW : 0, n);
    }

    @Override
    public int WSASendTo(long socket, long buffers, int bufferCount, long bytesSent, int flags, long to, int toLength,
            long overlapped, long completionRoutine) {
        Sock s = sockets.get(socket);
        if (failNextSend != 0) {
            int error = failNextSend;
            failNextSend = 0;
            return fail(error);
        }
        Pointer wsabuf = new Pointer(buffers);
        byte[] data = wsabuf.getPointer(8).getByteArray(0, wsabuf.getInt(0));
        int targetPort = to == 0 ? s.remotePort : SockaddrCodec.decode(at(to, toLength), 0, toLength).getPort();
        if (s.localPort == 0) {
            bindTo(s, 0);
        }
        complete(s, overlapped, 0, data.length);
        Sock target = bound.get(targetPort);
        if (target == null) {
            portUnreachable(s);
        } else if (target.remotePort != 0 && target.remotePort != s.localPort) {
            // A connected datagram socket receives from its peer only: dropped.
        } else {
            if (!target.receives.isEmpty()) {
                deliver(target, target.receives.remove(0), data, s.localPort);
            } else if (target.datagrams.size() < RECEIVE_QUEUE_DATAGRAMS) {
                target.datagrams.add(new Object[] {data, s.localPort});
            }
        }
        return fail(Codes.ERROR_IO_PENDING);
    }

    /**
     * The ICMP port-unreachable answering a datagram to a port nobody is bound to: Winsock fails
     * the sender's next receive with WSAECONNRESET, unless SIO_UDP_CONNRESET switched that off.
     */
    private void portUnreachable(Sock s) {
        if (s.options.getOrDefault(SIO_UDP_CONNRESET, 1) == 0) {
            return;
        }
        if (!s.receives.isEmpty()) {
            complete(s, s.receives.remove(0)[0], STATUS_ERROR | Codes.WSAECONNRESET, 0);
        } else {
            s.resetPending = true;
        }
    }

    @Override
    public int WSAIoctl(long socket, int code, long in, int inLength, long out, int outLength, long bytesReturned,
            long overlapped, long completionRoutine) {
        if (code == Codes.SIO_GET_EXTENSION_FUNCTION_POINTER) {
            return this.overlapped.extensionPointer(socket, in, out);
        }
        sockets.get(socket).options.put(code, new Pointer(in).getInt(0));
        return 0;
    }

    @Override
    public int WSAGetOverlappedResult(long socket, long overlapped, long transferred, int wait, long flags) {
        long status = new Pointer(overlapped).getLong(0);
        if (status == 0) {
            return 1;
        }
        if ((status & 0xF0000000L) == STATUS_ERROR) {
            lastError.set((int) (status & 0xFFFF));
            return 0;
        }
        lastError.set(status == STATUS_CANCELLED ? Codes.ERROR_OPERATION_ABORTED
                : status == STATUS_BUFFER_OVERFLOW ? Codes.WSAEMSGSIZE : Codes.WSAECONNRESET);
        return 0;
    }

    public void setLastError(int error) {
        lastError.set(error);
    }

    @Override
    public int listen(long socket, int backlog) {
        return overlapped.listen(socket, backlog);
    }

    @Override
    public int shutdown(long socket, int how) {
        Sock s = sockets.get(socket);
        if (s == null) {
            return fail(Codes.WSAENOTSOCK);
        }
        if (s.stream && how != 0) {
            streams.shutdownSend(s);
        }
        return 0;
    }

    @Override
    public int getpeername(long socket, long name, long lengthPointer) {
        return overlapped.getpeername(socket, name, lengthPointer);
    }

    @Override
    public int WSARecv(long socket, long buffers, int bufferCount, long bytesReceived, long flags, long ov,
            long completionRoutine) {
        return overlapped.start(socket, SimulatedOverlapped.RECV, buffers, bufferCount, ov, true);
    }

    @Override
    public int WSASend(long socket, long buffers, int bufferCount, long bytesSent, int flags, long ov,
            long completionRoutine) {
        return overlapped.start(socket, SimulatedOverlapped.SEND, buffers, bufferCount, ov, true);
    }

    @Override
    public int ReadFile(long handle, long buffer, int length, long bytesRead, long ov) {
        return overlapped.startFile(handle, SimulatedOverlapped.RECV, buffer, length, ov);
    }

    @Override
    public int WriteFile(long handle, long buffer, int length, long bytesWritten, long ov) {
        return overlapped.startFile(handle, SimulatedOverlapped.SEND, buffer, length, ov);
    }

    @Override
    public int GetOverlappedResult(long handle, long ov, long transferred, int wait) {
        long status = new Pointer(ov).getLong(0);
        if (status == 0) {
            return 1;
        }
        lastError.set((status & 0xF0000000L) == STATUS_ERROR ? (int) (status & 0xFFFF)
                : status == STATUS_CANCELLED ? Codes.ERROR_OPERATION_ABORTED : Codes.ERROR_MORE_DATA);
        return 0;
    }

    @Override
    public int AcceptEx(long function, long listenSocket, long acceptSocket, long buffer, int receiveLength,
            int localAddressLength, int remoteAddressLength, long bytesReceived, long ov) {
        return overlapped.acceptEx(function, listenSocket, acceptSocket, buffer, receiveLength, localAddressLength,
                remoteAddressLength, ov);
    }

    @Override
    public int ConnectEx(long function, long socket, long name, int nameLength, long sendBuffer, int sendLength,
            long bytesSent, long ov) {
        return overlapped.connectEx(function, socket, name, nameLength, sendBuffer, sendLength, ov);
    }

    @Override
    public int DisconnectEx(long function, long socket, long ov, int flags, int reserved) {
        return overlapped.disconnectEx(function, socket, ov);
    }

    @Override
    public int lastError() {
        return lastError.get();
    }

    /** An option the driver set on the socket with this handle-less view: level/name of the nth socket. */
    public int option(int socketIndex, int level, int name) {
        return sockets.get(0x100L + 4L * socketIndex).options.getOrDefault((level << 16) | name, -1);
    }
}
