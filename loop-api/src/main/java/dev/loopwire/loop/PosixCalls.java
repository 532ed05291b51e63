// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Synchronous POSIX calls on file descriptors, the setup half of a completion transport: create
 * sockets and pipes, set and read options, bind, listen, read names, shut down and close. The
 * data path (read, write, send, receive, accept, connect) goes through {@link UringPort}
 * operations instead.
 *
 * <p>These are mechanism-level, not transport-specific: values are the Linux constants
 * ({@code AF_INET}, {@code SOL_SOCKET}, {@code SO_REUSEADDR}...; the common ones are fields
 * here), and socket addresses are {@code sockaddr} bytes, with {@link #encode} and
 * {@link #decode} for IP addresses. Every fd created here is close-on-exec.
 *
 * <p><b>Errors.</b> A failed call throws an {@link IOException} typed by errno (for instance
 * {@link java.net.BindException} for {@code EADDRINUSE}) whose message names the call, the
 * errno name and its number. Memory passed in may be heap or direct: it is read or written
 * during the call only.
 *
 * <p><b>Concurrency.</b> Thread-safe: each method is one system call.
 */
public interface PosixCalls {

    /** Address family of Unix-domain sockets ({@code AF_UNIX}). */
    int AF_UNIX = 1;
    /** Address family of IPv4 sockets ({@code AF_INET}). */
    int AF_INET = 2;
    /** Address family of IPv6 sockets ({@code AF_INET6}). */
    int AF_INET6 = 10;
    /** Socket type of a byte stream, such as TCP ({@code SOCK_STREAM}). */
    int SOCK_STREAM = 1;
    /** Socket type of datagrams, such as UDP ({@code SOCK_DGRAM}). */
    int SOCK_DGRAM = 2;
    /** Flag OR-ed into a socket type to create the socket non-blocking ({@code SOCK_NONBLOCK}). */
    int SOCK_NONBLOCK = 0x800;
    /** Flag for {@link #pipe} to create both ends non-blocking ({@code O_NONBLOCK}). */
    int O_NONBLOCK = 0x800;
    /** Option level of the socket itself ({@code SOL_SOCKET}). */
    int SOL_SOCKET = 1;
    /**
     * Socket option: allow binding an address still in {@code TIME_WAIT} ({@code SO_REUSEADDR}).
     */
    int SO_REUSEADDR = 2;
    /** Socket option: allow sending to a broadcast address ({@code SO_BROADCAST}). */
    int SO_BROADCAST = 6;
    /** Socket option: the send buffer size in bytes ({@code SO_SNDBUF}). */
    int SO_SNDBUF = 7;
    /** Socket option: the receive buffer size in bytes ({@code SO_RCVBUF}). */
    int SO_RCVBUF = 8;
    /** Socket option: let several sockets bind the same address and port ({@code SO_REUSEPORT}). */
    int SO_REUSEPORT = 15;
    /** Option level and protocol number of IPv4 ({@code IPPROTO_IP}). */
    int IPPROTO_IP = 0;
    /** Option level and protocol number of TCP ({@code IPPROTO_TCP}). */
    int IPPROTO_TCP = 6;
    /** Option level and protocol number of UDP ({@code IPPROTO_UDP}). */
    int IPPROTO_UDP = 17;
    /** Option level and protocol number of IPv6 ({@code IPPROTO_IPV6}). */
    int IPPROTO_IPV6 = 41;
    /**
     * TCP option at level {@link #IPPROTO_TCP}: send without Nagle's delay ({@code TCP_NODELAY}).
     */
    int TCP_NODELAY = 1;
    /**
     * IPv6 option at level {@link #IPPROTO_IPV6}: refuse IPv4-mapped traffic ({@code IPV6_V6ONLY}).
     */
    int IPV6_V6ONLY = 26;
    /** {@link #shutdown} direction: no more receiving ({@code SHUT_RD}). */
    int SHUT_RD = 0;
    /**
     * {@link #shutdown} direction: no more sending; a stream peer reads end of stream
     * ({@code SHUT_WR}).
     */
    int SHUT_WR = 1;
    /**
     * {@link #shutdown} direction: both {@link #SHUT_RD} and {@link #SHUT_WR} ({@code SHUT_RDWR}).
     */
    int SHUT_RDWR = 2;
    /** Room for any IP socket address ({@code sockaddr_in6}). */
    int SOCKADDR_SIZE = 28;

    /**
     * {@code socket(2)} with {@code SOCK_CLOEXEC} added; returns the fd.
     *
     * @param domain the address family, such as {@link #AF_INET} or {@link #AF_INET6}
     * @param type the socket type, such as {@link #SOCK_DGRAM}, optionally OR-ed with
     *     {@link #SOCK_NONBLOCK}
     * @param protocol the protocol, such as {@link #IPPROTO_UDP}, or 0 for the type's default
     * @return the new socket's file descriptor, owned by the caller until {@link #close}d
     * @throws IOException if the kernel refuses (for instance {@code EMFILE}: too many open files)
     */
    int socket(int domain, int type, int protocol) throws IOException;

    /**
     * {@code pipe2(2)} with {@code O_CLOEXEC} added; returns {read end, write end}.
     *
     * @param flags 0, or {@link #O_NONBLOCK} for non-blocking ends
     * @return a new two-element array: index 0 the read end, index 1 the write end; never null
     * @throws IOException if the kernel refuses (for instance {@code EMFILE})
     */
    int[] pipe(int flags) throws IOException;

    /**
     * {@code setsockopt(2)} with an {@code int} value.
     *
     * @param fd the socket
     * @param level the option level, such as {@link #SOL_SOCKET}
     * @param name the option, such as {@link #SO_RCVBUF}
     * @param value the option's value (booleans are 0 or 1)
     * @throws IOException if the kernel refuses the option or the value ({@code EINVAL},
     *     {@code ENOPROTOOPT}) or {@code fd} is not an open socket
     */
    void setOption(int fd, int level, int name, int value) throws IOException;

    /**
     * {@code setsockopt(2)} with the value's remaining bytes (position unchanged).
     *
     * @param fd the socket
     * @param level the option level, such as {@link #SOL_SOCKET}
     * @param name the option
     * @param value the option's bytes, from position to limit, as the kernel expects them
     * @throws IOException if the kernel refuses the option or the value, or {@code fd} is not an
     *     open socket
     */
    void setOption(int fd, int level, int name, ByteBuffer value) throws IOException;

    /**
     * {@code getsockopt(2)} of an {@code int} option.
     *
     * @param fd the socket
     * @param level the option level, such as {@link #SOL_SOCKET}
     * @param name the option, such as {@link #SO_RCVBUF}
     * @return the option's current value, as the kernel reports it (Linux doubles
     *     {@link #SO_RCVBUF} and {@link #SO_SNDBUF})
     * @throws IOException if the kernel refuses the option or {@code fd} is not an open socket
     */
    int getOption(int fd, int level, int name) throws IOException;

    /**
     * {@code getsockopt(2)} into {@code value} from its position (position unchanged).
     *
     * @param fd the socket
     * @param level the option level
     * @param name the option
     * @param value receives the option's bytes, from its position; its remaining bytes are the room
     * @return the option's length
     * @throws IOException if the kernel refuses the option or {@code fd} is not an open socket
     */
    int getOption(int fd, int level, int name, ByteBuffer value) throws IOException;

    /**
     * {@code bind(2)} to the {@code sockaddr} in {@code address}'s remaining bytes.
     *
     * @param fd the socket
     * @param address a {@code sockaddr} of the socket's family, from position to limit
     * @throws IOException if the bind fails; {@link java.net.BindException} for
     *     {@code EADDRINUSE} and {@code EADDRNOTAVAIL}
     */
    void bind(int fd, ByteBuffer address) throws IOException;

    /**
     * {@code bind(2)} to an IP address (the family must match the socket's).
     *
     * @param fd the socket
     * @param address the local address; port 0 lets the kernel choose one
     * @throws IOException if the bind fails; {@link java.net.BindException} for
     *     {@code EADDRINUSE} and {@code EADDRNOTAVAIL}
     */
    void bind(int fd, InetSocketAddress address) throws IOException;

    /**
     * {@code connect(2)} to an IP address; meant for datagram sockets (streams use
     * {@code OP_CONNECT}).
     *
     * @param fd the socket
     * @param address the peer; for a datagram socket, the only address it then sends to and
     *     receives from
     * @throws IOException if the kernel refuses the address (for instance {@code ENETUNREACH})
     */
    void connect(int fd, InetSocketAddress address) throws IOException;

    /**
     * {@code listen(2)}.
     *
     * @param fd a bound stream socket
     * @param backlog the length of the queue of connections not yet accepted (the kernel caps it
     *     at {@code net.core.somaxconn})
     * @throws IOException if {@code fd} cannot listen (for instance a datagram socket:
     *     {@code EOPNOTSUPP})
     */
    void listen(int fd, int backlog) throws IOException;

    /**
     * {@code getsockname(2)} of an IP socket.
     *
     * @param fd the socket
     * @return the address the socket is bound to, with the port the kernel chose; never null
     * @throws IOException if {@code fd} is not an open IP socket
     */
    InetSocketAddress localAddress(int fd) throws IOException;

    /**
     * {@code getpeername(2)} of a connected IP socket.
     *
     * @param fd the socket
     * @return the peer's address; never null
     * @throws IOException if {@code fd} is not connected ({@code ENOTCONN}) or not an open IP
     *     socket
     */
    InetSocketAddress remoteAddress(int fd) throws IOException;

    /**
     * {@code shutdown(2)}.
     *
     * @param fd a connected socket
     * @param how {@link #SHUT_RD}, {@link #SHUT_WR} or {@link #SHUT_RDWR}
     * @throws IOException if {@code fd} is not connected ({@code ENOTCONN}) or {@code how} is
     *     invalid
     */
    void shutdown(int fd, int how) throws IOException;

    /**
     * {@code close(2)}.
     *
     * <p>The refusals hold JVM-wide: the {@code PosixCalls} of every loop refuse the fds of every
     * loop, not only of their own, so no loop can close another loop's ring or an fd that another
     * loop's operations still use.
     *
     * @param fd the file descriptor to close; the caller must not use the number again, since the
     *     kernel may hand it out to the next fd created
     * @throws IOException if the kernel reports an error on close (the fd is released anyway)
     * @throws IllegalStateException if {@code fd} is still registered with any loop (the message
     *     names the fd and that loop; close the registration on that loop, then close the fd in
     *     {@link UringHandler#unregistered})
     * @throws IllegalArgumentException if {@code fd} is a loop's own (its io_uring or its wake-up
     *     eventfd; the message names the fd and the loop): close only fds you opened
     */
    void close(int fd) throws IOException;

    /**
     * Writes {@code address} as a {@code sockaddr_in} or {@code sockaddr_in6} at {@code out}'s
     * position (position unchanged).
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
     * @param length the sockaddr's length, as the kernel reported it
     * @return the IP address and port; never null
     */
    InetSocketAddress decode(ByteBuffer in, int length);
}
