// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.InvalidAddressException;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.util.Objects;

/**
 * Argument checks shared by the entry points and every UDP provider, so that each backend
 * refuses the same input with the same message.
 *
 * <p>Stateless and thread-safe.
 */
public final class UdpChecks {

    private UdpChecks() {
    }

    /** Checks an address to bind. */
    public static InetSocketAddress local(SocketAddress local) {
        Objects.requireNonNull(local, "local");
        InetSocketAddress address = inet(local, "Local address");
        if (address.isUnresolved()) {
            throw new InvalidAddressException("Local address '" + format(address) + "' is unresolved;"
                    + " resolve it (new InetSocketAddress(host, port) does) or use an IP literal");
        }
        return address;
    }

    /** Checks a destination: resolved, and a port UDP can send to. */
    public static InetSocketAddress destination(SocketAddress target, String parameter) {
        Objects.requireNonNull(target, parameter);
        InetSocketAddress address = inet(target, "Destination");
        if (address.isUnresolved()) {
            throw new InvalidAddressException("Destination '" + format(address) + "' is unresolved;"
                    + " resolve it (new InetSocketAddress(host, port) does) or use an IP literal");
        }
        if (address.getPort() == 0) {
            throw new InvalidAddressException("Destination '" + format(address) + "' has port '0', which UDP"
                    + " cannot send to; use a port from 1 to 65535");
        }
        return address;
    }

    /** An ephemeral port on the wildcard address of the peer's family. */
    public static InetSocketAddress wildcardFor(InetSocketAddress peer) {
        try {
            return new InetSocketAddress(InetAddress.getByName(
                    peer.getAddress() instanceof Inet4Address ? "0.0.0.0" : "::"), 0);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("IP literals always resolve", e);
        }
    }

    /** The socket family for a bind address. */
    public static ProtocolFamily family(InetSocketAddress local) {
        return local.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /** Checks that a socket bound to {@code local} can reach {@code target}. */
    public static void sameFamily(InetSocketAddress local, InetSocketAddress target) {
        InetAddress from = local.getAddress();
        InetAddress to = target.getAddress();
        if (from instanceof Inet4Address && to instanceof Inet6Address) {
            throw new InvalidAddressException("Cannot reach IPv6 destination '" + format(target)
                    + "' from an IPv4 socket bound to '" + format(local)
                    + "'; bind an IPv6 address ('::' reaches both families) to send to IPv6 destinations");
        }
        if (from instanceof Inet6Address && to instanceof Inet4Address && !from.isAnyLocalAddress()) {
            throw new InvalidAddressException("Cannot reach IPv4 destination '" + format(target)
                    + "' from an IPv6 socket bound to '" + format(local)
                    + "'; bind '::' (dual stack) or an IPv4 address to send to IPv4 destinations");
        }
    }

    /** The largest payload that may go to {@code target}. */
    public static int limit(InetSocketAddress target, UdpOptions options) {
        return Math.min(protocolLimit(target), options.maxDatagramSize());
    }

    /** Checks the size of a payload for {@code target}. */
    public static void size(int bytes, InetSocketAddress target, UdpOptions options) {
        int protocol = protocolLimit(target);
        int limit = Math.min(protocol, options.maxDatagramSize());
        if (bytes > limit) {
            String why = limit < protocol ? "UdpOptions.maxDatagramSize"
                    : protocol == UdpOptions.MAX_IPV4_PAYLOAD ? "the UDP payload limit over IPv4"
                    : "the UDP payload limit over IPv6";
            throw new DatagramTooLargeException("Datagram of '" + bytes + "' bytes to '" + format(target)
                    + "' exceeds the limit of " + limit + " bytes (" + why + "); split the payload or send less");
        }
    }

    private static int protocolLimit(InetSocketAddress target) {
        return target.getAddress() instanceof Inet4Address ? UdpOptions.MAX_IPV4_PAYLOAD : UdpOptions.MAX_IPV6_PAYLOAD;
    }

    /** The refusal of a send on a closed endpoint. */
    public static EndpointClosedException closed(Object endpoint) {
        return new EndpointClosedException("Endpoint " + endpoint + " is closed; open a new one with Udp.bind");
    }

    /** The refusal of {@code send(data)} on an unconnected endpoint. */
    public static IllegalStateException notConnected(Object endpoint) {
        return new IllegalStateException("Endpoint " + endpoint + " is not connected; use send(data, target)"
                + " or open it with Udp.connect");
    }

    /** The refusal of a send to another address than the connected peer. */
    public static InvalidAddressException connectedElsewhere(Object endpoint, InetSocketAddress remote,
            InetSocketAddress target) {
        return new InvalidAddressException("Endpoint " + endpoint + " is connected to '" + format(remote)
                + "' and cannot send to '" + format(target) + "'; use send(data) or an unconnected endpoint");
    }

    /** The refusal of a join or leave with a group that is not a multicast address. */
    public static InvalidAddressException notMulticast(InetAddress group) {
        return new InvalidAddressException("'" + group.getHostAddress() + "' is not a multicast address;"
                + " use a group in 224.0.0.0/4 (IPv4) or ff00::/8 (IPv6)");
    }

    /** {@code 127.0.0.1:5000}, {@code [::1]:5000} or, unresolved, {@code host:5000}. */
    public static String format(InetSocketAddress address) {
        if (address.isUnresolved() || address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static InetSocketAddress inet(SocketAddress address, String what) {
        if (address instanceof InetSocketAddress inet) {
            return inet;
        }
        throw new InvalidAddressException(what + " '" + address + "' is a " + address.getClass().getName()
                + ", not an InetSocketAddress; UDP needs an IP address and a port");
    }
}
