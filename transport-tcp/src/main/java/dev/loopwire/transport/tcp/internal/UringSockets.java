// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.PosixCalls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/**
 * The socket-level mechanics of the io_uring provider, through {@link PosixCalls} only: socket
 * options as {@link SocketOption}s, {@code SO_LINGER} 0 for a reset, and errnos as the
 * {@link IOException}s the JDK throws for them, so that both providers report failures in the
 * same words (and {@code BaseConnection} types resets the same way).
 *
 * <p>Stateless and thread-safe (each call is one system call).
 */
final class UringSockets {

    static final int SO_KEEPALIVE = 9;
    static final int SO_LINGER = 13;
    static final int TCP_KEEPIDLE = 4;
    static final int TCP_KEEPINTVL = 5;
    static final int TCP_KEEPCNT = 6;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;

    static final int EPIPE = 32;
    static final int ENETUNREACH = 101;
    static final int ECONNABORTED = 103;
    static final int ECONNRESET = 104;
    static final int ENOBUFS = 105;
    /**
     * A send on a full socket buffer may complete with EAGAIN instead of waiting (seen on kernel
     * 6.18 with a multishot receive armed on the same socket): nothing was sent, send again.
     */
    static final int EAGAIN = 11;
    /** {@code ioprio} flag of SEND / SENDMSG: wait for room before trying (IORING_RECVSEND_POLL_FIRST). */
    static final int RECVSEND_POLL_FIRST = 1;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;
    static final int EHOSTUNREACH = 113;
    static final int ECANCELED = 125;

    /** The options {@link #set} and {@link #get} know. */
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_LINGER,
            ExtendedSocketOptions.TCP_KEEPIDLE, ExtendedSocketOptions.TCP_KEEPINTERVAL,
            ExtendedSocketOptions.TCP_KEEPCOUNT);

    private UringSockets() {
    }

    /** Sets {@code option} on {@code fd}. */
    static <T> void set(PosixCalls posix, int fd, SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(value, "value");
        if (option == StandardSocketOptions.SO_LINGER) {
            posix.setOption(fd, PosixCalls.SOL_SOCKET, SO_LINGER, linger((Integer) value));
            return;
        }
        int[] name = name(option);
        int number;
        if (value instanceof Boolean b) {
            number = b ? 1 : 0;
        } else {
            number = (Integer) value;
            if (number < 0) {
                throw new IllegalArgumentException("Option " + option.name() + " cannot be '" + number
                        + "'; give a value of 0 or more");
            }
        }
        posix.setOption(fd, name[0], name[1], number);
    }

    /** Reads {@code option} of {@code fd}. */
    @SuppressWarnings("unchecked")
    static <T> T get(PosixCalls posix, int fd, SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        if (option == StandardSocketOptions.SO_LINGER) {
            ByteBuffer l = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            posix.getOption(fd, PosixCalls.SOL_SOCKET, SO_LINGER, l);
            return (T) Integer.valueOf(l.getInt(0) == 0 ? -1 : l.getInt(4));
        }
        int[] name = name(option);
        int number = posix.getOption(fd, name[0], name[1]);
        if (option.type() == Boolean.class) {
            return (T) Boolean.valueOf(number != 0);
        }
        return (T) Integer.valueOf(number);
    }

    /** {@code SO_LINGER} 0: the close that follows sends a reset and drops what the kernel holds. */
    static void lingerZero(PosixCalls posix, int fd) throws IOException {
        posix.setOption(fd, PosixCalls.SOL_SOCKET, SO_LINGER, linger(0));
    }

    private static ByteBuffer linger(int seconds) {
        ByteBuffer l = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        l.putInt(0, seconds < 0 ? 0 : 1).putInt(4, Math.max(seconds, 0));
        return l;
    }

    private static int[] name(SocketOption<?> option) {
        if (option == StandardSocketOptions.TCP_NODELAY) {
            return new int[] {PosixCalls.IPPROTO_TCP, PosixCalls.TCP_NODELAY};
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[] {PosixCalls.SOL_SOCKET, SO_KEEPALIVE};
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {PosixCalls.SOL_SOCKET, PosixCalls.SO_SNDBUF};
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {PosixCalls.SOL_SOCKET, PosixCalls.SO_RCVBUF};
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {PosixCalls.SOL_SOCKET, PosixCalls.SO_REUSEADDR};
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            return new int[] {PosixCalls.SOL_SOCKET, PosixCalls.SO_REUSEPORT};
        } else if (option == ExtendedSocketOptions.TCP_KEEPIDLE) {
            return new int[] {PosixCalls.IPPROTO_TCP, TCP_KEEPIDLE};
        } else if (option == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
            return new int[] {PosixCalls.IPPROTO_TCP, TCP_KEEPINTVL};
        } else if (option == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            return new int[] {PosixCalls.IPPROTO_TCP, TCP_KEEPCNT};
        }
        throw new UnsupportedOperationException("Option '" + option.name() + "' is not supported by the io_uring TCP"
                + " provider; supported: " + SUPPORTED.stream().map(SocketOption::name).sorted().toList());
    }

    /** The exception the JDK throws for a failed socket operation's errno ({@code res} is negative). */
    static IOException failure(int res, String operation) {
        int errno = -res;
        return switch (errno) {
            case ECONNREFUSED -> new ConnectException("Connection refused");
            case ETIMEDOUT -> new ConnectException("Connection timed out");
            case EHOSTUNREACH -> new NoRouteToHostException("No route to host");
            case ENETUNREACH -> new NoRouteToHostException("Network is unreachable");
            case ECONNRESET -> new SocketException("Connection reset by peer");
            case ECONNABORTED -> new SocketException("Connection reset: aborted (ECONNABORTED)");
            case EPIPE -> new SocketException("Broken pipe");
            default -> new SocketException(operation + " failed with errno " + errno);
        };
    }
}
