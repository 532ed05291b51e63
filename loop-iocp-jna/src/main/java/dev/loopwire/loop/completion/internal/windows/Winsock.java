// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import dev.loopwire.loop.WinsockCalls;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link WinsockCalls} facet of a {@link LoopIocpPort}: one Winsock call per method, errors
 * typed by {@link WinsockErrors}. Closing a socket that is still associated through an open
 * registration is refused, so that no operation in flight, and no later association of a reused
 * handle value, can meet a closed socket.
 *
 * <p>Arguments and results pass through a small direct buffer made per call: these are setup
 * calls, and a shared block would need a lock.
 *
 * <p>Thread-safe.
 */
final class Winsock implements WinsockCalls {

    private static final int S_LENGTH = 0;
    private static final int S_DATA = 8;

    private final WinApi api;
    private final LoopIocpPort port;
    /** The family of each socket made here, to encode bind addresses for it (getsockname fails before bind). */
    private final Map<Long, Integer> families = new ConcurrentHashMap<>();

    Winsock(WinApi api, LoopIocpPort port) {
        this.api = api;
        this.port = port;
    }

    private static ByteBuffer scratch(int data) {
        return ByteBuffer.allocateDirect(S_DATA + Math.max(data, 8)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long socket(int af, int type, int protocol) throws IOException {
        long socket = api.WSASocketW(af, type, protocol, 0, 0,
                Ws2_32.WSA_FLAG_OVERLAPPED | Ws2_32.WSA_FLAG_NO_HANDLE_INHERIT);
        if (socket == Ws2_32.INVALID_SOCKET) {
            throw WinsockErrors.exception("WSASocketW(" + af + ", " + type + ", " + protocol + ")", api.lastError());
        }
        families.put(socket, af);
        return socket;
    }

    @Override
    public void setOption(long socket, int level, int name, int value) throws IOException {
        ByteBuffer s = scratch(4);
        s.putInt(S_DATA, value);
        if (api.setsockopt(socket, level, name, LoopIocpPort.baseAddress(s) + S_DATA, 4) != 0) {
            throw WinsockErrors.exception("setsockopt(socket 0x" + Long.toHexString(socket) + ", " + level + ", "
                    + name + ", " + value + ")", api.lastError());
        }
    }

    @Override
    public void setOption(long socket, int level, int name, ByteBuffer value) throws IOException {
        int length = value.remaining();
        ByteBuffer s = scratch(length);
        s.put(S_DATA, value, value.position(), length);
        if (api.setsockopt(socket, level, name, LoopIocpPort.baseAddress(s) + S_DATA, length) != 0) {
            throw WinsockErrors.exception("setsockopt(socket 0x" + Long.toHexString(socket) + ", " + level + ", "
                    + name + ")", api.lastError());
        }
    }

    @Override
    public int getOption(long socket, int level, int name) throws IOException {
        ByteBuffer s = scratch(4);
        s.putInt(S_LENGTH, 4);
        long a = LoopIocpPort.baseAddress(s);
        if (api.getsockopt(socket, level, name, a + S_DATA, a + S_LENGTH) != 0) {
            throw WinsockErrors.exception("getsockopt(socket 0x" + Long.toHexString(socket) + ", " + level + ", "
                    + name + ")", api.lastError());
        }
        return s.getInt(S_DATA);
    }

    @Override
    public int getOption(long socket, int level, int name, ByteBuffer value) throws IOException {
        int room = value.remaining();
        ByteBuffer s = scratch(room);
        s.putInt(S_LENGTH, room);
        long a = LoopIocpPort.baseAddress(s);
        if (api.getsockopt(socket, level, name, a + S_DATA, a + S_LENGTH) != 0) {
            throw WinsockErrors.exception("getsockopt(socket 0x" + Long.toHexString(socket) + ", " + level + ", "
                    + name + ")", api.lastError());
        }
        int length = s.getInt(S_LENGTH);
        value.put(value.position(), s, S_DATA, Math.min(length, room));
        return length;
    }

    @Override
    public void bind(long socket, ByteBuffer address) throws IOException {
        int length = address.remaining();
        ByteBuffer s = scratch(length);
        s.put(S_DATA, address, address.position(), length);
        if (api.bind(socket, LoopIocpPort.baseAddress(s) + S_DATA, length) != 0) {
            throw WinsockErrors.exception("bind(socket 0x" + Long.toHexString(socket) + ")", api.lastError());
        }
    }

    @Override
    public void bind(long socket, InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        ByteBuffer s = scratch(SOCKADDR_SIZE);
        Integer family = families.get(socket);
        boolean ipv6 = family != null ? family == AF_INET6 : address.getAddress() instanceof Inet6Address;
        int length = SockaddrCodec.encode(address, ipv6, s, S_DATA);
        if (api.bind(socket, LoopIocpPort.baseAddress(s) + S_DATA, length) != 0) {
            throw WinsockErrors.exception("bind to '" + address + "'", api.lastError());
        }
    }

    @Override
    public void connect(long socket, InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        ByteBuffer s = scratch(SOCKADDR_SIZE);
        Integer family = families.get(socket);
        boolean ipv6 = family != null ? family == AF_INET6 : address.getAddress() instanceof Inet6Address;
        int length = SockaddrCodec.encode(address, ipv6, s, S_DATA);
        if (api.connect(socket, LoopIocpPort.baseAddress(s) + S_DATA, length) != 0) {
            throw WinsockErrors.exception("connect to '" + address + "'", api.lastError());
        }
    }

    @Override
    public void control(long socket, int code, int value) throws IOException {
        ByteBuffer s = scratch(4);
        s.putInt(S_DATA, value);
        long a = LoopIocpPort.baseAddress(s);
        if (api.WSAIoctl(socket, code, a + S_DATA, 4, 0, 0, a + S_LENGTH, 0, 0) != 0) {
            throw WinsockErrors.exception("WSAIoctl(socket 0x" + Long.toHexString(socket) + ", 0x"
                    + Integer.toHexString(code) + ", " + value + ")", api.lastError());
        }
    }

    @Override
    public void listen(long socket, int backlog) throws IOException {
        if (api.listen(socket, backlog) != 0) {
            throw WinsockErrors.exception("listen(socket 0x" + Long.toHexString(socket) + ", " + backlog + ")",
                    api.lastError());
        }
    }

    @Override
    public InetSocketAddress localAddress(long socket) throws IOException {
        ByteBuffer s = scratch(WinLayout.SOCKADDR_STORAGE_SIZE);
        s.putInt(S_LENGTH, WinLayout.SOCKADDR_STORAGE_SIZE);
        long a = LoopIocpPort.baseAddress(s);
        if (api.getsockname(socket, a + S_DATA, a + S_LENGTH) != 0) {
            int error = api.lastError();
            if (error == WinsockErrors.WSAEINVAL) {
                return null; // documented meaning: the socket has not been bound
            }
            throw WinsockErrors.exception("getsockname(socket 0x" + Long.toHexString(socket) + ")", error);
        }
        return SockaddrCodec.decode(s, S_DATA, s.getInt(S_LENGTH));
    }

    @Override
    public InetSocketAddress remoteAddress(long socket) throws IOException {
        ByteBuffer s = scratch(WinLayout.SOCKADDR_STORAGE_SIZE);
        s.putInt(S_LENGTH, WinLayout.SOCKADDR_STORAGE_SIZE);
        long a = LoopIocpPort.baseAddress(s);
        if (api.getpeername(socket, a + S_DATA, a + S_LENGTH) != 0) {
            throw WinsockErrors.exception("getpeername(socket 0x" + Long.toHexString(socket) + ")", api.lastError());
        }
        return SockaddrCodec.decode(s, S_DATA, s.getInt(S_LENGTH));
    }

    @Override
    public void shutdown(long socket, int how) throws IOException {
        if (how != SD_RECEIVE && how != SD_SEND && how != SD_BOTH) {
            throw new IllegalArgumentException("shutdown how '" + how + "' is none of SD_RECEIVE (0), SD_SEND (1), "
                    + "SD_BOTH (2)");
        }
        if (api.shutdown(socket, how) != 0) {
            throw WinsockErrors.exception("shutdown(socket 0x" + Long.toHexString(socket) + ", " + how + ")",
                    api.lastError());
        }
    }

    @Override
    public void close(long socket) throws IOException {
        if (port.isAssociated(socket)) {
            throw new IllegalStateException("Socket '0x" + Long.toHexString(socket) + "' is still associated with loop '"
                    + port.context().name() + "'; close its registration and close the socket in "
                    + "IocpHandler.unregistered");
        }
        families.remove(socket);
        if (api.closesocket(socket) != 0) {
            throw WinsockErrors.exception("closesocket(socket 0x" + Long.toHexString(socket) + ")", api.lastError());
        }
    }

    @Override
    public int encode(InetSocketAddress address, boolean ipv6, ByteBuffer out) {
        Objects.requireNonNull(address, "address");
        ByteBuffer scratch = ByteBuffer.allocate(SOCKADDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int length = SockaddrCodec.encode(address, ipv6, scratch, 0);
        out.put(out.position(), scratch.array(), 0, length);
        return length;
    }

    @Override
    public InetSocketAddress decode(ByteBuffer in, int length) {
        return SockaddrCodec.decode(in, in.position(), length);
    }
}
