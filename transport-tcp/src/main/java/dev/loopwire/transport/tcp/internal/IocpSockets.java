// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.WinsockCalls;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/**
 * The socket-level mechanics of the IOCP provider, through {@link WinsockCalls} only: socket
 * options as {@link SocketOption}s with Winsock's levels and names ({@code ws2def.h},
 * {@code mstcpip.h}), {@code SO_LINGER} {on, 0} for a reset, and the context updates a socket
 * needs after {@code AcceptEx} and {@code ConnectEx}. Windows has no {@code SO_REUSEPORT}: it is
 * not in {@link #SUPPORTED}, so {@code TcpOptions.reusePort(true)} is refused with the remedy.
 *
 * <p>Stateless and thread-safe (each call is one Winsock call).
 */
final class IocpSockets {

    static final int SO_LINGER = 0x0080;
    static final int TCP_KEEPALIVE = 3;
    static final int TCP_KEEPCNT = 16;
    static final int TCP_KEEPINTVL = 17;

    /** The options {@link #set} and {@link #get} know. */
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_LINGER,
            ExtendedSocketOptions.TCP_KEEPIDLE, ExtendedSocketOptions.TCP_KEEPINTERVAL,
            ExtendedSocketOptions.TCP_KEEPCOUNT);

    private IocpSockets() {
    }

    /** Sets {@code option} on {@code socket}. */
    static <T> void set(WinsockCalls winsock, long socket, SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(value, "value");
        if (option == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            if (seconds > 0xffff) {
                throw new IllegalArgumentException("Option SO_LINGER cannot be '" + seconds
                        + "' on Windows; give -1 (off) to 65535 seconds");
            }
            winsock.setOption(socket, WinsockCalls.SOL_SOCKET, SO_LINGER, linger(seconds));
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
        winsock.setOption(socket, name[0], name[1], number);
    }

    /** Reads {@code option} of {@code socket}. */
    @SuppressWarnings("unchecked")
    static <T> T get(WinsockCalls winsock, long socket, SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        if (option == StandardSocketOptions.SO_LINGER) {
            int l = winsock.getOption(socket, WinsockCalls.SOL_SOCKET, SO_LINGER); // {u_short l_onoff; u_short l_linger}
            return (T) Integer.valueOf((l & 0xffff) == 0 ? -1 : l >>> 16);
        }
        int[] name = name(option);
        int number = winsock.getOption(socket, name[0], name[1]);
        if (option.type() == Boolean.class) {
            return (T) Boolean.valueOf(number != 0);
        }
        return (T) Integer.valueOf(number);
    }

    /** {@code SO_LINGER} {on, 0}: the close that follows sends a reset and drops what Windows holds. */
    static void lingerZero(WinsockCalls winsock, long socket) throws IOException {
        winsock.setOption(socket, WinsockCalls.SOL_SOCKET, SO_LINGER, linger(0));
    }

    /** {@code SO_UPDATE_ACCEPT_CONTEXT}: an accepted socket inherits the listener's properties (and getpeername works). */
    static void acceptContext(WinsockCalls winsock, long accepted, long listener) throws IOException {
        ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, listener); // a SOCKET
        winsock.setOption(accepted, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_UPDATE_ACCEPT_CONTEXT, value);
    }

    /** {@code SO_UPDATE_CONNECT_CONTEXT}: a socket connected by ConnectEx becomes usable by shutdown and getpeername. */
    static void connectContext(WinsockCalls winsock, long socket) throws IOException {
        winsock.setOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_UPDATE_CONNECT_CONTEXT, ByteBuffer.allocate(0));
    }

    private static ByteBuffer linger(int seconds) {
        ByteBuffer l = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        l.putShort(0, (short) (seconds < 0 ? 0 : 1)).putShort(2, (short) Math.max(seconds, 0));
        return l;
    }

    private static int[] name(SocketOption<?> option) {
        if (option == StandardSocketOptions.TCP_NODELAY) {
            return new int[] {WinsockCalls.IPPROTO_TCP, WinsockCalls.TCP_NODELAY};
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[] {WinsockCalls.SOL_SOCKET, WinsockCalls.SO_KEEPALIVE};
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {WinsockCalls.SOL_SOCKET, WinsockCalls.SO_SNDBUF};
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {WinsockCalls.SOL_SOCKET, WinsockCalls.SO_RCVBUF};
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {WinsockCalls.SOL_SOCKET, WinsockCalls.SO_REUSEADDR};
        } else if (option == ExtendedSocketOptions.TCP_KEEPIDLE) {
            return new int[] {WinsockCalls.IPPROTO_TCP, TCP_KEEPALIVE};
        } else if (option == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
            return new int[] {WinsockCalls.IPPROTO_TCP, TCP_KEEPINTVL};
        } else if (option == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            return new int[] {WinsockCalls.IPPROTO_TCP, TCP_KEEPCNT};
        }
        throw new UnsupportedOperationException("Option '" + option.name() + "' is not supported by the IOCP TCP"
                + " provider; supported: " + SUPPORTED.stream().map(SocketOption::name).sorted().toList());
    }
}
