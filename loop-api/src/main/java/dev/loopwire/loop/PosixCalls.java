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

    int AF_UNIX = 1;
    int AF_INET = 2;
    int AF_INET6 = 10;
    int SOCK_STREAM = 1;
    int SOCK_DGRAM = 2;
    int SOCK_NONBLOCK = 0x800;
    int O_NONBLOCK = 0x800;
    int SOL_SOCKET = 1;
    int SO_REUSEADDR = 2;
    int SO_BROADCAST = 6;
    int SO_SNDBUF = 7;
    int SO_RCVBUF = 8;
    int SO_REUSEPORT = 15;
    int IPPROTO_IP = 0;
    int IPPROTO_TCP = 6;
    int IPPROTO_UDP = 17;
    int IPPROTO_IPV6 = 41;
    int TCP_NODELAY = 1;
    int IPV6_V6ONLY = 26;
    int SHUT_RD = 0;
    int SHUT_WR = 1;
    int SHUT_RDWR = 2;
    /** Room for any IP socket address ({@code sockaddr_in6}). */
    int SOCKADDR_SIZE = 28;

    /** {@code socket(2)} with {@code SOCK_CLOEXEC} added; returns the fd. */
    int socket(int domain, int type, int protocol) throws IOException;

    /** {@code pipe2(2)} with {@code O_CLOEXEC} added; returns {read end, write end}. */
    int[] pipe(int flags) throws IOException;

    /** {@code setsockopt(2)} with an {@code int} value. */
    void setOption(int fd, int level, int name, int value) throws IOException;

    /** {@code setsockopt(2)} with the value's remaining bytes (position unchanged). */
    void setOption(int fd, int level, int name, ByteBuffer value) throws IOException;

    /** {@code getsockopt(2)} of an {@code int} option. */
    int getOption(int fd, int level, int name) throws IOException;

    /**
     * {@code getsockopt(2)} into {@code value} from its position (position unchanged).
     *
     * @return the option's length
     */
    int getOption(int fd, int level, int name, ByteBuffer value) throws IOException;

    /** {@code bind(2)} to the {@code sockaddr} in {@code address}'s remaining bytes. */
    void bind(int fd, ByteBuffer address) throws IOException;

    /** {@code bind(2)} to an IP address (the family must match the socket's). */
    void bind(int fd, InetSocketAddress address) throws IOException;

    /** {@code connect(2)} to an IP address; meant for datagram sockets (streams use {@code OP_CONNECT}). */
    void connect(int fd, InetSocketAddress address) throws IOException;

    /** {@code listen(2)}. */
    void listen(int fd, int backlog) throws IOException;

    /** {@code getsockname(2)} of an IP socket. */
    InetSocketAddress localAddress(int fd) throws IOException;

    /** {@code getpeername(2)} of a connected IP socket. */
    InetSocketAddress remoteAddress(int fd) throws IOException;

    /** {@code shutdown(2)}. */
    void shutdown(int fd, int how) throws IOException;

    /**
     * {@code close(2)}.
     *
     * @throws IllegalStateException if {@code fd} is still registered with the loop (close the
     *     registration, then close the fd in {@link UringHandler#unregistered})
     */
    void close(int fd) throws IOException;

    /**
     * Writes {@code address} as a {@code sockaddr_in} or {@code sockaddr_in6} at {@code out}'s
     * position (position unchanged).
     *
     * @param ipv6 whether the socket is IPv6 (an IPv4 address then becomes v4-mapped)
     * @return the sockaddr's length
     * @throws IllegalArgumentException if {@code address} is unresolved, or IPv6 for an IPv4 socket
     */
    int encode(InetSocketAddress address, boolean ipv6, ByteBuffer out);

    /** Reads a {@code sockaddr_in} or {@code sockaddr_in6} of {@code length} bytes at {@code in}'s position. */
    InetSocketAddress decode(ByteBuffer in, int length);
}
