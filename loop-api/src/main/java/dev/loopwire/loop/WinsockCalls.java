package dev.loopwire.loop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Synchronous Winsock calls on sockets, the setup half of an IOCP transport: create overlapped
 * sockets, set and read options, bind, listen, read names, shut down and close. The data path
 * (receive, send, accept, connect, disconnect) goes through {@link IocpPort} operations instead.
 * The Windows counterpart of {@link PosixCalls}.
 *
 * <p>These are mechanism-level, not transport-specific: values are the Winsock constants
 * ({@code AF_INET6} is 23 here, {@code SOL_SOCKET} is {@code 0xffff}; the common ones are fields
 * here), and socket addresses are {@code sockaddr} bytes, with {@link #encode} and
 * {@link #decode} for IP addresses. Every socket created here is overlapped and not inherited by
 * child processes. Winsock is started by the loop; callers never call {@code WSAStartup}.
 *
 * <p><b>Errors.</b> A failed call throws an {@link IOException} typed by the Winsock error (for
 * instance {@link java.net.BindException} for {@code WSAEADDRINUSE}) whose message names the
 * call, the error's name and its number. Memory passed in may be heap or direct: it is read or
 * written during the call only.
 *
 * <p><b>Concurrency.</b> Thread-safe: each method is one Winsock call.
 */
public interface WinsockCalls {

    int AF_INET = 2;
    int AF_INET6 = 23;
    int SOCK_STREAM = 1;
    int SOCK_DGRAM = 2;
    int IPPROTO_IP = 0;
    int IPPROTO_TCP = 6;
    int IPPROTO_UDP = 17;
    int IPPROTO_IPV6 = 41;
    int SOL_SOCKET = 0xffff;
    int SO_REUSEADDR = 0x0004;
    int SO_KEEPALIVE = 0x0008;
    int SO_BROADCAST = 0x0020;
    /** {@code ~SO_REUSEADDR}: no other socket may bind the same address. */
    int SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
    int SO_SNDBUF = 0x1001;
    int SO_RCVBUF = 0x1002;
    /** Set on a socket accepted by {@code ACCEPT_EX}, with the listening socket as value, before using it. */
    int SO_UPDATE_ACCEPT_CONTEXT = 0x700B;
    /** Set (no value) on a socket connected by {@code CONNECT_EX} before using it. */
    int SO_UPDATE_CONNECT_CONTEXT = 0x7010;
    int TCP_NODELAY = 1;
    int IPV6_V6ONLY = 27;
    int SD_RECEIVE = 0;
    int SD_SEND = 1;
    int SD_BOTH = 2;
    /** {@code DISCONNECT_EX} flag: the socket may be reused by {@code ACCEPT_EX} or {@code CONNECT_EX}. */
    int TF_REUSE_SOCKET = 0x02;
    /** Room for any IP socket address ({@code sockaddr_in6}). */
    int SOCKADDR_SIZE = 28;

    /**
     * {@code WSASocketW(af, type, protocol, NULL, 0, WSA_FLAG_OVERLAPPED |
     * WSA_FLAG_NO_HANDLE_INHERIT)}; returns the SOCKET.
     */
    long socket(int af, int type, int protocol) throws IOException;

    /** {@code setsockopt} with an {@code int} value. */
    void setOption(long socket, int level, int name, int value) throws IOException;

    /** {@code setsockopt} with the value's remaining bytes (position unchanged). */
    void setOption(long socket, int level, int name, ByteBuffer value) throws IOException;

    /** {@code getsockopt} of an {@code int} option. */
    int getOption(long socket, int level, int name) throws IOException;

    /**
     * {@code getsockopt} into {@code value} from its position (position unchanged).
     *
     * @return the option's length
     */
    int getOption(long socket, int level, int name, ByteBuffer value) throws IOException;

    /** {@code bind} to the {@code sockaddr} in {@code address}'s remaining bytes. */
    void bind(long socket, ByteBuffer address) throws IOException;

    /** {@code bind} to an IP address (written for the socket's family). */
    void bind(long socket, InetSocketAddress address) throws IOException;

    /** {@code listen}. */
    void listen(long socket, int backlog) throws IOException;

    /** {@code getsockname} of an IP socket, or {@code null} if it is not bound. */
    InetSocketAddress localAddress(long socket) throws IOException;

    /** {@code getpeername} of a connected IP socket. */
    InetSocketAddress remoteAddress(long socket) throws IOException;

    /** {@code shutdown} with {@link #SD_RECEIVE}, {@link #SD_SEND} or {@link #SD_BOTH}. */
    void shutdown(long socket, int how) throws IOException;

    /**
     * {@code closesocket}.
     *
     * @throws IllegalStateException if {@code socket} is still associated with the loop through
     *     an open registration (close the registration, then close the socket in
     *     {@link IocpHandler#unregistered})
     */
    void close(long socket) throws IOException;

    /**
     * Writes {@code address} as a Winsock {@code sockaddr_in} or {@code sockaddr_in6} at
     * {@code out}'s position (position unchanged).
     *
     * @param ipv6 whether the socket is IPv6 (an IPv4 address then becomes v4-mapped)
     * @return the sockaddr's length
     * @throws IllegalArgumentException if {@code address} is unresolved, or IPv6 for an IPv4 socket
     */
    int encode(InetSocketAddress address, boolean ipv6, ByteBuffer out);

    /** Reads a {@code sockaddr_in} or {@code sockaddr_in6} of {@code length} bytes at {@code in}'s position. */
    InetSocketAddress decode(ByteBuffer in, int length);
}
