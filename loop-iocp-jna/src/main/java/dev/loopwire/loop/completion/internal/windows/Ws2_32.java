// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import com.sun.jna.Native;

/**
 * Direct JNA mappings of the Winsock 2 calls the IOCP backend uses (ws2_32.dll).
 *
 * <p>As in {@link Kernel32Ex}, every {@code SOCKET} ({@code UINT_PTR}) and pointer is a raw
 * 64-bit {@code long}; the structures they point to ({@code WSABUF}, {@code sockaddr},
 * {@code WSAOVERLAPPED}, flags) live in native memory the caller owns, laid out as described in
 * {@link WinLayout}. The per-datagram calls ({@link #WSARecvFrom}, {@link #WSASendTo},
 * {@link #WSAGetOverlappedResult}) therefore create no Java object.
 *
 * <p><b>Errors.</b> Winsock reports failures through the thread's last error. JNA captures it
 * right after each call ({@link Native#getLastError()}); calling {@link #WSAGetLastError()}
 * through JNA afterwards could observe a value overwritten by the JVM between the two calls, so
 * it is mapped for completeness only. {@link #WSAStartup} returns its error directly.
 *
 * <p><b>Lifecycle.</b> Loading the class binds the methods to ws2_32.dll and fails with a
 * {@link LinkageError} anywhere else. Every user calls {@link #WSAStartup} once and
 * {@link #WSACleanup} once when done (Winsock counts them).
 *
 * <p><b>Thread-safety.</b> Stateless; Winsock calls are thread-safe.
 */
final class Ws2_32 {

    static {
        Native.register(Ws2_32.class, "ws2_32");
    }

    private Ws2_32() {
    }

    /** {@code INVALID_SOCKET} ({@code ~0}). */
    static final long INVALID_SOCKET = -1L;
    /** {@code SOCKET_ERROR}. */
    static final int SOCKET_ERROR = -1;
    /** {@code MAKEWORD(2, 2)}. */
    static final short WINSOCK_2_2 = 0x0202;

    static final int AF_INET = 2;
    static final int AF_INET6 = 23;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int IPPROTO_UDP = 17;

    static final int WSA_FLAG_OVERLAPPED = 0x01;
    static final int WSA_FLAG_NO_HANDLE_INHERIT = 0x80;

    static final int SOL_SOCKET = 0xffff;
    static final int SO_REUSEADDR = 0x0004;
    static final int SO_BROADCAST = 0x0020;
    static final int SO_SNDBUF = 0x1001;
    static final int SO_RCVBUF = 0x1002;
    static final int IPPROTO_IP = 0;
    static final int IP_TOS = 3;
    static final int IP_MULTICAST_IF = 9;
    static final int IP_MULTICAST_TTL = 10;
    static final int IP_MULTICAST_LOOP = 11;
    static final int IP_ADD_MEMBERSHIP = 12;
    static final int IP_DROP_MEMBERSHIP = 13;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_MULTICAST_IF = 9;
    static final int IPV6_MULTICAST_HOPS = 10;
    static final int IPV6_MULTICAST_LOOP = 11;
    static final int IPV6_ADD_MEMBERSHIP = 12;
    static final int IPV6_DROP_MEMBERSHIP = 13;
    static final int IPV6_V6ONLY = 27;

    /**
     * {@code SIO_UDP_CONNRESET} = {@code _WSAIOW(IOC_VENDOR, 12)} = IOC_IN (0x80000000) |
     * IOC_VENDOR (0x18000000) | 12. With the input BOOL FALSE, an ICMP port-unreachable caused by
     * an earlier send no longer fails the pending WSARecvFrom with WSAECONNRESET.
     */
    static final int SIO_UDP_CONNRESET = 0x9800000C;

    /** {@code SIO_GET_EXTENSION_FUNCTION_POINTER} = {@code _WSAIORW(IOC_WS2, 6)}. */
    static final int SIO_GET_EXTENSION_FUNCTION_POINTER = 0xC8000006;

    /** {@code int WSAStartup(WORD wVersionRequired, LPWSADATA lpWSAData)}; returns the error. */
    static native int WSAStartup(short version, long wsaData);

    /** {@code int WSACleanup(void)}. */
    static native int WSACleanup();

    /** {@code int WSAGetLastError(void)}; see the class comment for why it is not used. */
    static native int WSAGetLastError();

    /**
     * {@code SOCKET WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW
     * lpProtocolInfo, GROUP g, DWORD dwFlags)}; {@link #INVALID_SOCKET} on failure.
     */
    static native long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags);

    /** {@code int bind(SOCKET s, const sockaddr *name, int namelen)}. */
    static native int bind(long socket, long name, int nameLength);

    /** {@code int connect(SOCKET s, const sockaddr *name, int namelen)}. */
    static native int connect(long socket, long name, int nameLength);

    /** {@code int setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen)}. */
    static native int setsockopt(long socket, int level, int option, long value, int length);

    /** {@code int getsockopt(SOCKET s, int level, int optname, char *optval, int *optlen)}. */
    static native int getsockopt(long socket, int level, int option, long value, long lengthPointer);

    /** {@code int getsockname(SOCKET s, sockaddr *name, int *namelen)}. */
    static native int getsockname(long socket, long name, long lengthPointer);

    /** {@code int closesocket(SOCKET s)}. */
    static native int closesocket(long socket);

    /**
     * {@code int WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD
     * lpNumberOfBytesRecvd, LPDWORD lpFlags, sockaddr *lpFrom, LPINT lpFromlen, LPWSAOVERLAPPED
     * lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)}.
     */
    static native int WSARecvFrom(long socket, long buffers, int bufferCount, long bytesReceived, long flags,
            long from, long fromLength, long overlapped, long completionRoutine);

    /**
     * {@code int WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD
     * lpNumberOfBytesSent, DWORD dwFlags, const sockaddr *lpTo, int iTolen, LPWSAOVERLAPPED
     * lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)}.
     */
    static native int WSASendTo(long socket, long buffers, int bufferCount, long bytesSent, int flags,
            long to, int toLength, long overlapped, long completionRoutine);

    /**
     * {@code int WSAIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer,
     * LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned, LPWSAOVERLAPPED
     * lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)}.
     */
    static native int WSAIoctl(long socket, int code, long in, int inLength, long out, int outLength,
            long bytesReturned, long overlapped, long completionRoutine);

    /**
     * {@code BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD
     * lpcbTransfer, BOOL fWait, LPDWORD lpdwFlags)}: turns a completed operation's status into a
     * Winsock error code (FALSE, then the last error).
     */
    static native int WSAGetOverlappedResult(long socket, long overlapped, long transferred, int wait,
            long flags);

    /** {@code int listen(SOCKET s, int backlog)}. */
    static native int listen(long socket, int backlog);

    /** {@code int shutdown(SOCKET s, int how)}. */
    static native int shutdown(long socket, int how);

    /** {@code int getpeername(SOCKET s, sockaddr *name, int *namelen)}. */
    static native int getpeername(long socket, long name, long lengthPointer);

    /**
     * {@code int WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD
     * lpNumberOfBytesRecvd, LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
     * LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)}.
     */
    static native int WSARecv(long socket, long buffers, int bufferCount, long bytesReceived, long flags,
            long overlapped, long completionRoutine);

    /**
     * {@code int WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD
     * lpNumberOfBytesSent, DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
     * LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)}.
     */
    static native int WSASend(long socket, long buffers, int bufferCount, long bytesSent, int flags,
            long overlapped, long completionRoutine);
}
