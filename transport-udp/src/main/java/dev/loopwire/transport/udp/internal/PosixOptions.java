// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.PosixCalls;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * The socket options and multicast memberships of a UDP socket made with {@link PosixCalls}:
 * the JDK's {@link StandardSocketOptions} translated to Linux {@code setsockopt} levels and names.
 *
 * <p>On an IPv6 (dual-stack) socket the IPv6 option is the one that counts; the IPv4 twin is
 * set as well, best effort, so that IPv4-mapped traffic behaves the same (as the JDK does).
 *
 * <p>Loop thread only (it remembers the multicast interface, which Linux reports back as an
 * address rather than the index that was set).
 */
final class PosixOptions {

    /** The options {@link #set} and {@link #get} accept. */
    static final Set<SocketOption<?>> SUPPORTED = Set.of(
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_MULTICAST_IF,
            StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP,
            StandardSocketOptions.IP_TOS);

    // include/uapi/linux/in.h and in6.h
    private static final int IP_TOS = 1;
    private static final int IP_MULTICAST_IF = 32;
    private static final int IP_MULTICAST_TTL = 33;
    private static final int IP_MULTICAST_LOOP = 34;
    private static final int IP_ADD_MEMBERSHIP = 35;
    private static final int IP_DROP_MEMBERSHIP = 36;
    private static final int IPV6_MULTICAST_IF = 17;
    private static final int IPV6_MULTICAST_HOPS = 18;
    private static final int IPV6_MULTICAST_LOOP = 19;
    private static final int IPV6_ADD_MEMBERSHIP = 20;
    private static final int IPV6_DROP_MEMBERSHIP = 21;
    private static final int IPV6_TCLASS = 67;

    private final PosixCalls posix;
    private final int fd;
    private final boolean ipv6;
    private NetworkInterface multicastInterface;

    PosixOptions(PosixCalls posix, int fd, boolean ipv6) {
        this.posix = posix;
        this.fd = fd;
        this.ipv6 = ipv6;
    }

    /**
     * Makes an IPv6 socket dual-stack (Linux may default to v6-only), as the JDK's channels are.
     *
     * @throws IOException if the system refuses
     */
    void dualStack() throws IOException {
        posix.setOption(fd, PosixCalls.IPPROTO_IPV6, PosixCalls.IPV6_V6ONLY, 0);
    }

    /**
     * Sets one of the {@link #SUPPORTED} options.
     *
     * @param <T> the option's type
     * @param option the option
     * @param value its value, already checked by {@link dev.loopwire.transport.udp.UdpOptions}
     * @throws IOException typed by errno if the system refuses
     */
    <T> void set(SocketOption<T> option, T value) throws IOException {
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            posix.setOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_REUSEADDR, bool(value));
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            posix.setOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_REUSEPORT, bool(value));
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            posix.setOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_BROADCAST, bool(value));
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            posix.setOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_SNDBUF, (Integer) value);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            posix.setOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_RCVBUF, (Integer) value);
        } else if (option == StandardSocketOptions.IP_TOS) {
            setBoth(IP_TOS, IPV6_TCLASS, (Integer) value);
        } else if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            setBoth(IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, (Integer) value);
        } else if (option == StandardSocketOptions.IP_MULTICAST_LOOP) {
            setBoth(IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, bool(value));
        } else if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface nif = (NetworkInterface) value;
            if (ipv6) {
                posix.setOption(fd, PosixCalls.IPPROTO_IPV6, IPV6_MULTICAST_IF, nif.getIndex());
            }
            // ip_mreqn with only the interface index: no group, no local address.
            ByteBuffer mreqn = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putInt(8, nif.getIndex());
            try {
                posix.setOption(fd, PosixCalls.IPPROTO_IP, IP_MULTICAST_IF, mreqn);
            } catch (IOException e) {
                if (!ipv6) {
                    throw e;
                }
            }
            multicastInterface = nif;
        } else {
            throw unsupported(option);
        }
    }

    /**
     * Reads one of the {@link #SUPPORTED} options.
     *
     * @param <T> the option's type
     * @param option the option
     * @return its value
     * @throws IOException typed by errno if the system refuses
     */
    @SuppressWarnings("unchecked")
    <T> T get(SocketOption<T> option) throws IOException {
        Object value;
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            value = posix.getOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_REUSEADDR) != 0;
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            value = posix.getOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_REUSEPORT) != 0;
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            value = posix.getOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_BROADCAST) != 0;
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            value = posix.getOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_SNDBUF);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            value = posix.getOption(fd, PosixCalls.SOL_SOCKET, PosixCalls.SO_RCVBUF);
        } else if (option == StandardSocketOptions.IP_TOS) {
            value = getEither(IP_TOS, IPV6_TCLASS);
        } else if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            value = getEither(IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS);
        } else if (option == StandardSocketOptions.IP_MULTICAST_LOOP) {
            value = getEither(IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP) != 0;
        } else if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            value = multicastInterface;
        } else {
            throw unsupported(option);
        }
        return (T) value;
    }

    /**
     * Joins or leaves a multicast group on an interface ({@code ip_mreqn} / {@code ipv6_mreq}).
     *
     * @param join {@code true} to join, {@code false} to leave
     * @param group the group, of the socket's family (checked by the endpoint)
     * @param nif the interface
     * @throws IOException typed by errno if the system refuses
     */
    void membership(boolean join, InetAddress group, NetworkInterface nif) throws IOException {
        ByteBuffer request;
        if (group instanceof Inet4Address) {
            request = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
            request.put(0, group.getAddress()).putInt(8, nif.getIndex());
            posix.setOption(fd, PosixCalls.IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, request);
        } else {
            request = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
            request.put(0, group.getAddress()).putInt(16, nif.getIndex());
            posix.setOption(fd, PosixCalls.IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, request);
        }
    }

    private void setBoth(int ipv4Name, int ipv6Name, int value) throws IOException {
        if (ipv6) {
            posix.setOption(fd, PosixCalls.IPPROTO_IPV6, ipv6Name, value);
            try {
                posix.setOption(fd, PosixCalls.IPPROTO_IP, ipv4Name, value);
            } catch (IOException bestEffort) {
                // The IPv4 twin only matters for v4-mapped traffic; the IPv6 option is set.
            }
        } else {
            posix.setOption(fd, PosixCalls.IPPROTO_IP, ipv4Name, value);
        }
    }

    private int getEither(int ipv4Name, int ipv6Name) throws IOException {
        return ipv6 ? posix.getOption(fd, PosixCalls.IPPROTO_IPV6, ipv6Name)
                : posix.getOption(fd, PosixCalls.IPPROTO_IP, ipv4Name);
    }

    private static UnsupportedOperationException unsupported(SocketOption<?> option) {
        return new UnsupportedOperationException("Socket option '" + option.name()
                + "' is not supported by UDP on io_uring; supported: " + SUPPORTED);
    }

    private static int bool(Object value) {
        return (Boolean) value ? 1 : 0;
    }
}
