// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.sim;

import com.sun.jna.Pointer;
import dev.loopwire.loop.completion.internal.windows.SockaddrCodec;
import dev.loopwire.loop.completion.internal.windows.WinApi;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of {@link SimulatedWinApi} that models the overlapped functions of the raw
 * {@code IocpPort}: WSARecv/WSASend, ReadFile/WriteFile, AcceptEx/ConnectEx/DisconnectEx and their
 * pointers. As documented: a call returns success or fails with ERROR_IO_PENDING and then
 * completes through the port (an immediate success too); any other failure queues nothing.
 *
 * <p>Receives, reads and accepts stay pending until a test {@link #feed}s data or
 * {@link #completeNext completes} them; sends, writes, connects and disconnects finish at once
 * (unless {@link #holdAll}). Like {@link SimulatedWinApi}, a model written from the same reading
 * of the documentation as the code under test: it proves the port's logic, not Windows'.
 */
public final class SimulatedOverlapped {

    public static final int RECV = 1;
    public static final int SEND = 2;
    public static final int ACCEPT = 3;
    public static final int CONNECT = 4;
    public static final long ACCEPT_EX_FN = 0xA000;
    public static final long CONNECT_EX_FN = 0xC000;
    public static final long DISCONNECT_EX_FN = 0xD000;

    private final SimulatedWinApi api;
    /** When non-zero, the next overlapped call fails at once with this error. */
    public int failNext;
    /** Whether sends, writes and connects pend like receives. */
    public boolean holdAll;
    public int extensionLookups;
    /** The functions called, in order, e.g. "WSARecv". */
    public final List<String> calls = new ArrayList<>();

    SimulatedOverlapped(SimulatedWinApi api) {
        this.api = api;
    }

    private int boolFail(int error) {
        api.setLastError(error);
        return 0;
    }

    /** A pending return in the function's convention: SOCKET_ERROR for Winsock, FALSE for a BOOL. */
    private int pending(boolean winsock) {
        return winsock ? api.fail(Codes.ERROR_IO_PENDING) : boolFail(Codes.ERROR_IO_PENDING);
    }

    private int failed(boolean winsock, int error) {
        return winsock ? api.fail(error) : boolFail(error);
    }

    private int succeeded(boolean winsock) {
        return winsock ? 0 : 1;
    }

    public int start(long socket, int kind, long buffers, int count, long ov, boolean winsock) {
        calls.add(kind == RECV ? "WSARecv" : "WSASend");
        return begin(socket, kind, buffers, count, ov, winsock, false);
    }

    public int startFile(long handle, int kind, long buffer, int length, long ov) {
        calls.add(kind == RECV ? "ReadFile" : "WriteFile");
        return begin(handle, kind, buffer, length, ov, false, true);
    }

    private int begin(long handle, int kind, long memory, int count, long ov, boolean winsock, boolean file) {
        SimulatedWinApi.Sock s = api.sockets.get(handle);
        if (s == null) {
            return failed(winsock, winsock ? Codes.WSAENOTSOCK : Codes.ERROR_INVALID_HANDLE);
        }
        if (failNext != 0) {
            int error = failNext;
            failNext = 0;
            return failed(winsock, error);
        }
        if (s.stream && !file && !holdAll) {
            return kind == SEND ? api.streams.send(s, ov, gather(memory, count)) : api.streams.receive(s, ov, memory);
        }
        if (kind == SEND && !holdAll) {
            byte[] data = file ? new Pointer(memory).getByteArray(0, count) : gather(memory, count);
            s.written.write(data, 0, data.length);
            api.complete(s, ov, 0, data.length);
            return succeeded(winsock); // finished at once; its completion is queued all the same
        }
        s.pending.add(new long[] {ov, kind, memory, count, file ? 1 : 0});
        return pending(winsock);
    }

    private static byte[] gather(long wsabufs, int count) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            Pointer wsabuf = new Pointer(wsabufs + 16L * i);
            byte[] part = wsabuf.getPointer(8).getByteArray(0, wsabuf.getInt(0));
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }

    /** Delivers {@code data} into the oldest pending receive or read of {@code handle}. */
    public void feed(long handle, byte[] data) {
        SimulatedWinApi.Sock s = api.sockets.get(handle);
        for (int i = 0; i < s.pending.size(); i++) {
            long[] p = s.pending.get(i);
            if (p[1] != RECV) {
                continue;
            }
            s.pending.remove(i);
            long buffer = p[4] == 1 ? p[2] : new Pointer(p[2]).getLong(8); // a file buffer, or the first WSABUF's
            int room = p[4] == 1 ? (int) p[3] : new Pointer(p[2]).getInt(0);
            int n = Math.min(room, data.length);
            new Pointer(buffer).write(0, data, 0, n);
            api.complete(s, p[0], 0, n);
            return;
        }
        throw new AssertionError("no pending receive on handle 0x" + Long.toHexString(handle));
    }

    /** Completes the oldest pending operation of {@code handle} with a Win32/Winsock error (0: success). */
    public void completeNext(long handle, int error, int bytes) {
        SimulatedWinApi.Sock s = api.sockets.get(handle);
        long[] p = s.pending.remove(0);
        api.complete(s, p[0], error == 0 ? 0 : SimulatedWinApi.STATUS_ERROR | error, bytes);
    }

    /** Operations of {@code handle} still pending. */
    public int pendingOn(long handle) {
        return api.sockets.get(handle).pending.size();
    }

    public byte[] written(long handle) {
        return api.sockets.get(handle).written.toByteArray();
    }

    public int extensionPointer(long socket, long in, long out) {
        extensionLookups++;
        SimulatedWinApi.Sock s = api.sockets.get(socket);
        if (s == null || s.af == 0) {
            return api.fail(Codes.WSAENOTSOCK);
        }
        int data1 = new Pointer(in).getInt(0);
        long fn = data1 == 0xb5367df1 ? ACCEPT_EX_FN : data1 == 0x25a207b9 ? CONNECT_EX_FN
                : data1 == 0x7fda2e11 ? DISCONNECT_EX_FN : 0;
        if (fn == 0) {
            return api.fail(Codes.WSAEINVAL);
        }
        new Pointer(out).setLong(0, fn);
        return 0;
    }

    public int listen(long socket, int backlog) {
        SimulatedWinApi.Sock s = api.sockets.get(socket);
        if (s == null) {
            return api.fail(Codes.WSAENOTSOCK);
        }
        if (s.localPort == 0) {
            return api.fail(Codes.WSAEINVAL);
        }
        s.listening = true;
        return 0;
    }

    public int getpeername(long socket, long name, long lengthPointer) {
        SimulatedWinApi.Sock s = api.sockets.get(socket);
        if (s == null || s.remotePort == 0) {
            return api.fail(Codes.WSAENOTCONN);
        }
        ByteBuffer at = new Pointer(name).getByteBuffer(0, 28);
        int length = SockaddrCodec.encode(SimulatedWinApi.address(s.af, s.remotePort), s.af == Codes.AF_INET6, at, 0);
        new Pointer(lengthPointer).setInt(0, length);
        return 0;
    }

    public int acceptEx(long fn, long listenSocket, long acceptSocket, long buffer, int receiveLength, int localLength,
            int remoteLength, long ov) {
        calls.add("AcceptEx");
        if (fn != ACCEPT_EX_FN) {
            return boolFail(Codes.WSAEFAULT);
        }
        SimulatedWinApi.Sock l = api.sockets.get(listenSocket);
        if (failNext != 0) {
            int error = failNext;
            failNext = 0;
            return boolFail(error);
        }
        if (l == null || !l.listening || !api.sockets.containsKey(acceptSocket)) {
            return boolFail(Codes.WSAEINVAL);
        }
        l.pending.add(new long[] {ov, ACCEPT, buffer, receiveLength + localLength + remoteLength, 1, acceptSocket});
        api.streams.acceptPending(l);
        return pending(false);
    }

    public int connectEx(long fn, long socket, long name, int nameLength, long sendBuffer, int sendLength, long ov) {
        calls.add("ConnectEx");
        if (fn != CONNECT_EX_FN) {
            return boolFail(Codes.WSAEFAULT);
        }
        SimulatedWinApi.Sock s = api.sockets.get(socket);
        if (failNext != 0) {
            int error = failNext;
            failNext = 0;
            return boolFail(error);
        }
        if (s.localPort == 0) {
            return boolFail(Codes.WSAEINVAL); // ConnectEx needs a bound socket
        }
        InetSocketAddress target = SockaddrCodec.decode(new Pointer(name).getByteBuffer(0, nameLength), 0, nameLength);
        if (holdAll) {
            s.pending.add(new long[] {ov, CONNECT, sendBuffer, sendLength, 1});
            return pending(false);
        }
        SimulatedWinApi.Sock listener = api.sockets.values().stream()
                .filter(o -> o.listening && o.localPort == target.getPort()).findFirst().orElse(null);
        if (listener == null) {
            api.complete(s, ov, SimulatedWinApi.STATUS_ERROR | Codes.WSAECONNREFUSED, 0);
            return pending(false);
        }
        api.streams.connect(s, listener);
        if (sendBuffer != 0) {
            byte[] data = new Pointer(sendBuffer).getByteArray(0, sendLength);
            s.written.write(data, 0, data.length);
        }
        api.complete(s, ov, 0, sendBuffer == 0 ? 0 : sendLength);
        return pending(false);
    }

    public int disconnectEx(long fn, long socket, long ov) {
        calls.add("DisconnectEx");
        if (fn != DISCONNECT_EX_FN) {
            return boolFail(Codes.WSAEFAULT);
        }
        SimulatedWinApi.Sock s = api.sockets.get(socket);
        s.remotePort = 0;
        api.complete(s, ov, 0, 0);
        return 1;
    }
}
