// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;

import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.InvalidAddressException;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The checks a UDP endpoint makes before it accepts a send, with the messages loopwire's own
 * endpoints give: each names the bad value in quotes and the remedy. Written against the public
 * API only, as a third party writes them.
 *
 * <p>Stateless and thread-safe.
 */
final class SimAddresses {

    private SimAddresses() {
    }

    /** A usable destination: a resolved {@link InetSocketAddress} with a port from 1 to 65535. */
    static InetSocketAddress destination(SocketAddress target) {
        if (!(target instanceof InetSocketAddress to)) {
            throw new InvalidAddressException("Target '" + target + "' is a " + target.getClass().getName()
                    + ", not an InetSocketAddress; send to new InetSocketAddress(host, port)");
        }
        if (to.isUnresolved()) {
            throw new InvalidAddressException("Target '" + format(to) + "' is unresolved; resolve the host first"
                    + " (new InetSocketAddress(host, port) does)");
        }
        if (to.getPort() == 0) {
            throw new InvalidAddressException("Target '" + format(to) + "' has port 0; send to a port from 1 to 65535");
        }
        return to;
    }

    /**
     * Refuses what a socket of {@code local}'s family cannot reach: IPv6 from IPv4, and IPv4 from
     * IPv6 unless bound to {@code ::} (dual stack).
     */
    static void sameFamily(InetSocketAddress local, InetSocketAddress to) {
        InetAddress from = local.getAddress();
        if (from instanceof Inet4Address && to.getAddress() instanceof Inet6Address) {
            throw new InvalidAddressException("Cannot reach IPv6 destination '" + format(to)
                    + "' from an IPv4 socket bound to '" + format(local)
                    + "'; bind an IPv6 address ('::' reaches both families) to send to IPv6 destinations");
        }
        if (from instanceof Inet6Address && to.getAddress() instanceof Inet4Address && !from.isAnyLocalAddress()) {
            throw new InvalidAddressException("Cannot reach IPv4 destination '" + format(to)
                    + "' from an IPv6 socket bound to '" + format(local)
                    + "'; bind '::' (dual stack) or an IPv4 address to send to IPv4 destinations");
        }
    }

    /** Refuses a payload over the limit of the destination's family or over {@code maxDatagramSize}. */
    static void size(int bytes, InetSocketAddress to, UdpOptions options) {
        boolean v6 = to.getAddress() instanceof Inet6Address;
        int protocol = v6 ? UdpOptions.MAX_IPV6_PAYLOAD : UdpOptions.MAX_IPV4_PAYLOAD;
        int limit = Math.min(protocol, options.maxDatagramSize());
        if (bytes > limit) {
            String why = limit < protocol ? "UdpOptions.maxDatagramSize"
                    : "the UDP payload limit over " + (v6 ? "IPv6" : "IPv4");
            throw new DatagramTooLargeException("Datagram of '" + bytes + "' bytes to '" + format(to)
                    + "' exceeds the limit of " + limit + " bytes (" + why + "); split the payload or send less");
        }
    }

    /** {@code 127.0.0.1:4000}, {@code [::1]:4000}: how messages quote an address. */
    static String format(InetSocketAddress address) {
        if (address == null) {
            return "unbound";
        }
        if (address.isUnresolved()) {
            return address.getHostString() + ":" + address.getPort();
        }
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
