// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.WinsockCalls;
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
 * The socket options and multicast memberships of a UDP socket made with {@link WinsockCalls}:
 * the JDK's {@link StandardSocketOptions} translated to Winsock levels and names
 * ({@code ws2ipdef.h}), which differ from Linux's.
 *
 * <p>Windows has no {@code SO_REUSEPORT}; it is left out of {@link #SUPPORTED}, so that
 * {@code UdpOptions.reusePort(true)} is refused with the remedy. On an IPv6 (dual-stack) socket
 * the IPv6 option is the one that counts; the IPv4 twin is set as well, best effort.
 *
 * <p>Loop thread only (it remembers the multicast interface, which Winsock reports back as an
 * address or an index in network order).
 */
final class IocpSocketOptions {

    /** The options {@link #set} and {@link #get} accept. */
    static final Set<SocketOption<?>> SUPPORTED = Set.of(
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_MULTICAST_IF,
            StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP,
            StandardSocketOptions.IP_TOS);

    // ws2ipdef.h
    private static final int IP_TOS = 3;
    private static final int IP_MULTICAST_IF = 9;
    private static final int IP_MULTICAST_TTL = 10;
    private static final int IP_MULTICAST_LOOP = 11;
    private static final int IP_ADD_MEMBERSHIP = 12;
    private static final int IP_DROP_MEMBERSHIP = 13;
    private static final int IPV6_MULTICAST_IF = 9;
    private static final int IPV6_MULTICAST_HOPS = 10;
    private static final int IPV6_MULTICAST_LOOP = 11;
    private static final int IPV6_ADD_MEMBERSHIP = 12;
    private static final int IPV6_DROP_MEMBERSHIP = 13;
    private static final int IPV6_TCLASS = 39;

    private final WinsockCalls winsock;
    private final long socket;
    private final boolean ipv6;
    private NetworkInterface multicastInterface;

    IocpSocketOptions(WinsockCalls winsock, long socket, boolean ipv6) {
        this.winsock = winsock;
        this.socket = socket;
        this.ipv6 = ipv6;
    }

    /**
     * Makes an IPv6 socket dual-stack (Windows defaults {@code IPV6_V6ONLY} to on), as the JDK's
     * channels are.
     *
     * @throws IOException if Winsock refuses
     */
    void dualStack() throws IOException {
        winsock.setOption(socket, WinsockCalls.IPPROTO_IPV6, WinsockCalls.IPV6_V6ONLY, 0);
    }

    /**
     * Sets one of the {@link #SUPPORTED} options.
     *
     * @param <T> the option's type
     * @param option the option
     * @param value its value, already checked by {@link dev.loopwire.transport.udp.UdpOptions}
     * @throws IOException typed by the Winsock error if Winsock refuses
     */
    <T> void set(SocketOption<T> option, T value) throws IOException {
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            winsock.setOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_REUSEADDR, bool(value));
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            winsock.setOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_BROADCAST, bool(value));
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            winsock.setOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_SNDBUF, (Integer) value);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            winsock.setOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_RCVBUF, (Integer) value);
        } else if (option == StandardSocketOptions.IP_TOS) {
            setBoth(IP_TOS, IPV6_TCLASS, (Integer) value);
        } else if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            setBoth(IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, (Integer) value);
        } else if (option == StandardSocketOptions.IP_MULTICAST_LOOP) {
            setBoth(IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, bool(value));
        } else if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface nif = (NetworkInterface) value;
            if (ipv6) {
                winsock.setOption(socket, WinsockCalls.IPPROTO_IPV6, IPV6_MULTICAST_IF, nif.getIndex());
            }
            // An IPv4 address in 0.0.0.0/8 names an interface by index (ws2ipdef.h, IP_MULTICAST_IF).
            try {
                winsock.setOption(socket, WinsockCalls.IPPROTO_IP, IP_MULTICAST_IF, indexAsAddress(nif));
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
     * @throws IOException typed by the Winsock error if Winsock refuses
     */
    @SuppressWarnings("unchecked")
    <T> T get(SocketOption<T> option) throws IOException {
        Object value;
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            value = winsock.getOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_REUSEADDR) != 0;
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            value = winsock.getOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_BROADCAST) != 0;
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            value = winsock.getOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_SNDBUF);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            value = winsock.getOption(socket, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_RCVBUF);
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
     * Joins or leaves a multicast group on an interface ({@code ip_mreq} with the interface
     * index in {@code imr_interface}, or {@code ipv6_mreq}).
     *
     * @param join {@code true} to join, {@code false} to leave
     * @param group the group, of the socket's family (checked by the endpoint)
     * @param nif the interface
     * @throws IOException typed by the Winsock error if Winsock refuses
     */
    void membership(boolean join, InetAddress group, NetworkInterface nif) throws IOException {
        if (group instanceof Inet4Address) {
            ByteBuffer request = ByteBuffer.allocate(8);
            request.put(0, group.getAddress()).putInt(4, nif.getIndex()); // big-endian: 0.0.0.index
            winsock.setOption(socket, WinsockCalls.IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, request);
        } else {
            ByteBuffer request = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            request.put(0, group.getAddress()).putInt(16, nif.getIndex());
            winsock.setOption(socket, WinsockCalls.IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP,
                    request);
        }
    }

    private static ByteBuffer indexAsAddress(NetworkInterface nif) {
        return ByteBuffer.allocate(4).putInt(0, nif.getIndex());
    }

    private void setBoth(int ipv4Name, int ipv6Name, int value) throws IOException {
        if (ipv6) {
            winsock.setOption(socket, WinsockCalls.IPPROTO_IPV6, ipv6Name, value);
            try {
                winsock.setOption(socket, WinsockCalls.IPPROTO_IP, ipv4Name, value);
            } catch (IOException bestEffort) {
                // The IPv4 twin only matters for v4-mapped traffic; the IPv6 option is set.
            }
        } else {
            winsock.setOption(socket, WinsockCalls.IPPROTO_IP, ipv4Name, value);
        }
    }

    private int getEither(int ipv4Name, int ipv6Name) throws IOException {
        return ipv6 ? winsock.getOption(socket, WinsockCalls.IPPROTO_IPV6, ipv6Name)
                : winsock.getOption(socket, WinsockCalls.IPPROTO_IP, ipv4Name);
    }

    private static UnsupportedOperationException unsupported(SocketOption<?> option) {
        return new UnsupportedOperationException("Socket option '" + option.name()
                + "' is not supported by UDP on IOCP; supported: " + SUPPORTED);
    }

    private static int bool(Object value) {
        return (Boolean) value ? 1 : 0;
    }
}
