package dev.loopwire.loop.iocp.internal.windows;

import static dev.loopwire.loop.iocp.internal.windows.WinLayout.SOCKADDR_STORAGE_SIZE;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Winsock calls on a socket handle that are not per datagram: creating and configuring an
 * overlapped UDP socket, associating it with a port, bind, connect, getsockname and socket
 * options. Arguments and results pass through one small native scratch block.
 *
 * <p><b>Lifecycle.</b> Created with its {@link IocpDriver}; {@link #free()} releases the block.
 *
 * <p><b>Thread-safety.</b> Confined to the driver's owner thread (the scratch block is shared).
 */
final class SocketCalls {

    private static final int S_BYTES = 0;
    private static final int S_LENGTH = 4;
    private static final int S_VALUE = 8;
    /** The longest option value, an {@code ipv6_mreq} being 20 bytes. */
    static final int MAX_OPTION_LENGTH = 56;
    private static final int S_ADDRESS = 64;

    private final WinApi api;
    private final Memory scratch = NativeMemory.allocate(S_ADDRESS + SOCKADDR_STORAGE_SIZE);
    private final long address = Pointer.nativeValue(scratch);
    private final ByteBuffer view = scratch.getByteBuffer(0, scratch.size()).order(ByteOrder.LITTLE_ENDIAN);

    SocketCalls(WinApi api) {
        this.api = api;
    }

    /**
     * Opens an overlapped UDP socket: dual-stack for AF_INET6, ICMP port-unreachable reporting
     * off, no handle inheritance.
     *
     * @return the handle; on failure nothing stays open
     */
    long open(int af) throws IOException {
        long handle = api.WSASocketW(af, Ws2_32.SOCK_DGRAM, Ws2_32.IPPROTO_UDP, 0, 0,
                Ws2_32.WSA_FLAG_OVERLAPPED | Ws2_32.WSA_FLAG_NO_HANDLE_INHERIT);
        if (handle == Ws2_32.INVALID_SOCKET) {
            throw WinsockErrors.exception("WSASocketW", api.lastError());
        }
        try {
            if (af == Ws2_32.AF_INET6) {
                setInt(handle, Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_V6ONLY, 0);
            }
            view.putInt(S_VALUE, 0); // BOOL FALSE
            if (api.WSAIoctl(handle, Ws2_32.SIO_UDP_CONNRESET, address + S_VALUE, 4, 0, 0, address + S_BYTES, 0,
                    0) != 0) {
                throw WinsockErrors.exception("WSAIoctl(SIO_UDP_CONNRESET)", api.lastError());
            }
        } catch (IOException | RuntimeException e) {
            api.closesocket(handle);
            throw e;
        }
        return handle;
    }

    /** Ties {@code handle} to {@code port} under {@code key}; the handle's own event is not signalled. */
    void associate(long handle, long port, long key) throws IOException {
        if (api.CreateIoCompletionPort(handle, port, key, 0) == 0) {
            throw WinsockErrors.exception("CreateIoCompletionPort", api.lastError());
        }
        if (api.SetFileCompletionNotificationModes(handle, Kernel32Ex.FILE_SKIP_SET_EVENT_ON_HANDLE) == 0) {
            throw WinsockErrors.exception("SetFileCompletionNotificationModes", api.lastError());
        }
    }

    void bind(long handle, boolean ipv6, InetSocketAddress local) throws IOException {
        int length = SockaddrCodec.encode(local, ipv6, view, S_ADDRESS);
        if (api.bind(handle, address + S_ADDRESS, length) != 0) {
            throw WinsockErrors.exception("bind to '" + local + "'", api.lastError());
        }
    }

    void connect(long handle, boolean ipv6, InetSocketAddress remote) throws IOException {
        int length = SockaddrCodec.encode(remote, ipv6, view, S_ADDRESS);
        if (api.connect(handle, address + S_ADDRESS, length) != 0) {
            throw WinsockErrors.exception("connect to '" + remote + "'", api.lastError());
        }
    }

    /** {@code getsockname}, or {@code null} if the socket is not bound. */
    InetSocketAddress localAddress(long handle) throws IOException {
        view.putInt(S_LENGTH, SOCKADDR_STORAGE_SIZE);
        if (api.getsockname(handle, address + S_ADDRESS, address + S_LENGTH) != 0) {
            int error = api.lastError();
            if (error == WinsockErrors.WSAEINVAL) {
                return null; // documented meaning: the socket has not been bound
            }
            throw WinsockErrors.exception("getsockname", error);
        }
        return SockaddrCodec.decode(view, S_ADDRESS, view.getInt(S_LENGTH));
    }

    void setInt(long handle, int level, int name, int value) throws IOException {
        view.putInt(S_VALUE, value);
        if (api.setsockopt(handle, level, name, address + S_VALUE, 4) != 0) {
            throw WinsockErrors.exception("setsockopt(" + level + ", " + name + ")", api.lastError());
        }
    }

    int getInt(long handle, int level, int name) throws IOException {
        view.putInt(S_VALUE, 0);
        view.putInt(S_LENGTH, 4);
        if (api.getsockopt(handle, level, name, address + S_VALUE, address + S_LENGTH) != 0) {
            throw WinsockErrors.exception("getsockopt(" + level + ", " + name + ")", api.lastError());
        }
        return view.getInt(S_VALUE);
    }

    void setRaw(long handle, int level, int name, byte[] value) throws IOException {
        if (value.length > MAX_OPTION_LENGTH) {
            throw new IllegalArgumentException("Option value of '" + value.length + "' bytes is too long; at most "
                    + MAX_OPTION_LENGTH);
        }
        for (int i = 0; i < value.length; i++) {
            view.put(S_VALUE + i, value[i]);
        }
        if (api.setsockopt(handle, level, name, address + S_VALUE, value.length) != 0) {
            throw WinsockErrors.exception("setsockopt(" + level + ", " + name + ")", api.lastError());
        }
    }

    void free() {
        NativeMemory.free(scratch);
    }
}
