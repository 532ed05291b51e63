// SPDX-License-Identifier: Apache-2.0
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

    /** Address family of IPv4 sockets ({@code AF_INET}). */
    int AF_INET = 2;
    /** Address family of IPv6 sockets ({@code AF_INET6}; 23 on Windows, not Linux's 10). */
    int AF_INET6 = 23;
    /** Socket type of a byte stream, such as TCP ({@code SOCK_STREAM}). */
    int SOCK_STREAM = 1;
    /** Socket type of datagrams, such as UDP ({@code SOCK_DGRAM}). */
    int SOCK_DGRAM = 2;
    /** Option level and protocol number of IPv4 ({@code IPPROTO_IP}). */
    int IPPROTO_IP = 0;
    /** Option level and protocol number of TCP ({@code IPPROTO_TCP}). */
    int IPPROTO_TCP = 6;
    /** Option level and protocol number of UDP ({@code IPPROTO_UDP}). */
    int IPPROTO_UDP = 17;
    /** Option level and protocol number of IPv6 ({@code IPPROTO_IPV6}). */
    int IPPROTO_IPV6 = 41;
    /** Option level of the socket itself ({@code SOL_SOCKET}). */
    int SOL_SOCKET = 0xffff;
    /**
     * Socket option: allow binding an address another socket is bound to ({@code SO_REUSEADDR}).
     */
    int SO_REUSEADDR = 0x0004;
    /** Socket option: send keep-alive probes on an idle connection ({@code SO_KEEPALIVE}). */
    int SO_KEEPALIVE = 0x0008;
    /** Socket option: allow sending to a broadcast address ({@code SO_BROADCAST}). */
    int SO_BROADCAST = 0x0020;
    /** {@code ~SO_REUSEADDR}: no other socket may bind the same address. */
    int SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
    /** Socket option: the send buffer size in bytes ({@code SO_SNDBUF}). */
    int SO_SNDBUF = 0x1001;
    /** Socket option: the receive buffer size in bytes ({@code SO_RCVBUF}). */
    int SO_RCVBUF = 0x1002;
    /** Set on a socket accepted by {@code ACCEPT_EX}, with the listening socket as value, before using it. */
    int SO_UPDATE_ACCEPT_CONTEXT = 0x700B;
    /** Set (no value) on a socket connected by {@code CONNECT_EX} before using it. */
    int SO_UPDATE_CONNECT_CONTEXT = 0x7010;
    /**
     * TCP option at level {@link #IPPROTO_TCP}: send without Nagle's delay ({@code TCP_NODELAY}).
     */
    int TCP_NODELAY = 1;
    /**
     * IPv6 option at level {@link #IPPROTO_IPV6}: refuse IPv4-mapped traffic ({@code IPV6_V6ONLY}).
     */
    int IPV6_V6ONLY = 27;
    /** {@link #shutdown} direction: no more receiving ({@code SD_RECEIVE}). */
    int SD_RECEIVE = 0;
    /**
     * {@link #shutdown} direction: no more sending; a stream peer reads end of stream
     * ({@code SD_SEND}).
     */
    int SD_SEND = 1;
    /**
     * {@link #shutdown} direction: both {@link #SD_RECEIVE} and {@link #SD_SEND} ({@code SD_BOTH}).
     */
    int SD_BOTH = 2;
    /** {@code DISCONNECT_EX} flag: the socket may be reused by {@code ACCEPT_EX} or {@code CONNECT_EX}. */
    int TF_REUSE_SOCKET = 0x02;
    /**
     * {@link #control} code ({@code SIO_UDP_CONNRESET}): 0 stops an ICMP port-unreachable, caused
     * by an earlier send, from failing a later receive on an unconnected datagram socket.
     */
    int SIO_UDP_CONNRESET = 0x9800000C;
    /** Room for any IP socket address ({@code sockaddr_in6}). */
    int SOCKADDR_SIZE = 28;

    /**
     * {@code WSASocketW(af, type, protocol, NULL, 0, WSA_FLAG_OVERLAPPED |
     * WSA_FLAG_NO_HANDLE_INHERIT)}; returns the SOCKET.
     *
     * @param af the address family, {@link #AF_INET} or {@link #AF_INET6}
     * @param type the socket type, {@link #SOCK_DGRAM} or {@link #SOCK_STREAM}
     * @param protocol the protocol, such as {@link #IPPROTO_UDP}, or 0 for the type's default
     * @return the new SOCKET handle, owned by the caller until {@link #close}d
     * @throws IOException if Winsock refuses (for instance {@code WSAEMFILE}: no more sockets)
     */
    long socket(int af, int type, int protocol) throws IOException;

    /**
     * {@code setsockopt} with an {@code int} value.
     *
     * @param socket the socket
     * @param level the option level, such as {@link #SOL_SOCKET}
     * @param name the option, such as {@link #SO_RCVBUF}
     * @param value the option's value (booleans are 0 or 1)
     * @throws IOException if Winsock refuses the option or the value ({@code WSAEINVAL},
     *     {@code WSAENOPROTOOPT}) or {@code socket} is not an open socket
     */
    void setOption(long socket, int level, int name, int value) throws IOException;

    /**
     * {@code setsockopt} with the value's remaining bytes (position unchanged).
     *
     * @param socket the socket
     * @param level the option level, such as {@link #SOL_SOCKET}
     * @param name the option, such as {@link #SO_UPDATE_ACCEPT_CONTEXT}
     * @param value the option's bytes, from position to limit, as Winsock expects them
     * @throws IOException if Winsock refuses the option or the value, or {@code socket} is not
     *     an open socket
     */
    void setOption(long socket, int level, int name, ByteBuffer value) throws IOException;

    /**
     * {@code getsockopt} of an {@code int} option.
     *
     * @param socket the socket
     * @param level the option level, such as {@link #SOL_SOCKET}
     * @param name the option, such as {@link #SO_RCVBUF}
     * @return the option's current value
     * @throws IOException if Winsock refuses the option or {@code socket} is not an open socket
     */
    int getOption(long socket, int level, int name) throws IOException;

    /**
     * {@code getsockopt} into {@code value} from its position (position unchanged).
     *
     * @param socket the socket
     * @param level the option level
     * @param name the option
     * @param value receives the option's bytes, from its position; its remaining bytes are the room
     * @return the option's length
     * @throws IOException if Winsock refuses the option or {@code socket} is not an open socket
     */
    int getOption(long socket, int level, int name, ByteBuffer value) throws IOException;

    /**
     * {@code bind} to the {@code sockaddr} in {@code address}'s remaining bytes.
     *
     * @param socket the socket
     * @param address a Winsock {@code sockaddr} of the socket's family, from position to limit
     * @throws IOException if the bind fails; {@link java.net.BindException} for
     *     {@code WSAEADDRINUSE} and {@code WSAEADDRNOTAVAIL}
     */
    void bind(long socket, ByteBuffer address) throws IOException;

    /**
     * {@code bind} to an IP address (written for the socket's family).
     *
     * @param socket the socket
     * @param address the local address; port 0 lets Winsock choose one
     * @throws IOException if the bind fails; {@link java.net.BindException} for
     *     {@code WSAEADDRINUSE} and {@code WSAEADDRNOTAVAIL}
     */
    void bind(long socket, InetSocketAddress address) throws IOException;

    /**
     * {@code connect} to an IP address (written for the socket's family), at once. Meant for
     * datagram sockets, where it only sets the default peer (sends without an address go there,
     * and only its datagrams are received); a stream socket connects with {@code CONNECT_EX}
     * through the port instead, because {@code connect} would block the calling thread.
     *
     * @param socket the socket
     * @param address the peer; resolved
     * @throws IOException if the connect fails (for instance {@code WSAEADDRNOTAVAIL} for a
     *     wildcard address)
     * @throws IllegalArgumentException if {@code address} is unresolved
     */
    void connect(long socket, InetSocketAddress address) throws IOException;

    /**
     * {@code WSAIoctl} with a 4-byte input and no output, on the calling thread (no overlapped
     * completion): switches such as {@link #SIO_UDP_CONNRESET}.
     *
     * @param socket the socket
     * @param code the control code
     * @param value the 4-byte input
     * @throws IOException if Winsock refuses the code or the value
     */
    void control(long socket, int code, int value) throws IOException;

    /**
     * {@code listen}.
     *
     * @param socket a bound stream socket
     * @param backlog the length of the queue of connections not yet accepted
     * @throws IOException if {@code socket} cannot listen (for instance not bound:
     *     {@code WSAEINVAL})
     */
    void listen(long socket, int backlog) throws IOException;

    /**
     * {@code getsockname} of an IP socket, or {@code null} if it is not bound.
     *
     * @param socket the socket
     * @return the address the socket is bound to, with the port Winsock chose, or {@code null}
     *     if the socket is not bound yet
     * @throws IOException if {@code socket} is not an open IP socket
     */
    InetSocketAddress localAddress(long socket) throws IOException;

    /**
     * {@code getpeername} of a connected IP socket.
     *
     * @param socket the socket
     * @return the peer's address; never null
     * @throws IOException if {@code socket} is not connected ({@code WSAENOTCONN}) or not an open
     *     IP socket
     */
    InetSocketAddress remoteAddress(long socket) throws IOException;

    /**
     * {@code shutdown} with {@link #SD_RECEIVE}, {@link #SD_SEND} or {@link #SD_BOTH}.
     *
     * @param socket a connected socket
     * @param how {@link #SD_RECEIVE}, {@link #SD_SEND} or {@link #SD_BOTH}
     * @throws IOException if {@code socket} is not connected ({@code WSAENOTCONN}) or {@code how}
     *     is invalid
     */
    void shutdown(long socket, int how) throws IOException;

    /**
     * {@code closesocket}.
     *
     * @param socket the socket to close; the caller must not use the handle again
     * @throws IOException if Winsock reports an error on close (the handle is released anyway)
     * @throws IllegalStateException if {@code socket} is still associated with the loop through
     *     an open registration (close the registration, then close the socket in
     *     {@link IocpHandler#unregistered})
     */
    void close(long socket) throws IOException;

    /**
     * Writes {@code address} as a Winsock {@code sockaddr_in} or {@code sockaddr_in6} at
     * {@code out}'s position (position unchanged).
     *
     * @param address the resolved IP address and port to write
     * @param ipv6 whether the socket is IPv6 (an IPv4 address then becomes v4-mapped)
     * @param out receives the bytes at its position; needs up to {@link #SOCKADDR_SIZE} bytes
     *     remaining
     * @return the sockaddr's length
     * @throws IllegalArgumentException if {@code address} is unresolved, or IPv6 for an IPv4 socket
     */
    int encode(InetSocketAddress address, boolean ipv6, ByteBuffer out);

    /**
     * Reads a {@code sockaddr_in} or {@code sockaddr_in6} of {@code length} bytes at {@code in}'s
     * position.
     *
     * @param in holds the sockaddr at its position (position unchanged)
     * @param length the sockaddr's length, as Winsock reported it
     * @return the IP address and port; never null
     */
    InetSocketAddress decode(ByteBuffer in, int length);
}
