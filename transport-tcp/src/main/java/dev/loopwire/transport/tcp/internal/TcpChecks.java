// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.transport.tcp.InvalidAddressException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.util.Objects;

/**
 * Argument checks shared by the entry points and every TCP provider, so that each backend
 * refuses the same input with the same message.
 *
 * <p>Stateless and thread-safe.
 */
public final class TcpChecks {

    private TcpChecks() {
    }

    /**
     * Checks an address to bind or listen on: resolved, not multicast.
     *
     * @param local the address asked for
     * @return it, as an {@code InetSocketAddress}
     */
    public static InetSocketAddress local(SocketAddress local) {
        Objects.requireNonNull(local, "local");
        InetSocketAddress address = inet(local, "Local address");
        if (address.isUnresolved()) {
            throw new InvalidAddressException("Local address '" + format(address) + "' is unresolved;"
                    + " resolve it (new InetSocketAddress(host, port) does) or use an IP literal");
        }
        if (address.getAddress().isMulticastAddress()) {
            throw new InvalidAddressException("Local address '" + format(address) + "' is a multicast address,"
                    + " which TCP cannot bind; use a unicast or wildcard address");
        }
        return address;
    }

    /**
     * Checks a peer to connect to: resolved, unicast, not a wildcard, port 1 to 65535.
     *
     * @param remote the peer asked for
     * @return it, as an {@code InetSocketAddress}
     */
    public static InetSocketAddress remote(SocketAddress remote) {
        Objects.requireNonNull(remote, "remote");
        InetSocketAddress address = inet(remote, "Remote address");
        if (address.isUnresolved()) {
            throw new InvalidAddressException("Remote address '" + format(address) + "' is unresolved;"
                    + " resolve it (new InetSocketAddress(host, port) does) or use an IP literal");
        }
        if (address.getAddress().isAnyLocalAddress()) {
            throw new InvalidAddressException("Remote address '" + format(address) + "' is a wildcard address,"
                    + " which names no host to connect to; use the server's address, such as 127.0.0.1 or ::1");
        }
        if (address.getAddress().isMulticastAddress()) {
            throw new InvalidAddressException("Remote address '" + format(address) + "' is a multicast address,"
                    + " which TCP cannot connect to; use a unicast address");
        }
        if (address.getPort() == 0) {
            throw new InvalidAddressException("Remote address '" + format(address) + "' has port '0', which TCP"
                    + " cannot connect to; use a port from 1 to 65535");
        }
        return address;
    }

    /**
     * Checks that a socket bound to {@code local} can reach {@code remote}.
     *
     * @param local the local address, or {@code null}
     * @param remote the peer
     */
    public static void sameFamily(InetSocketAddress local, InetSocketAddress remote) {
        InetAddress from = local.getAddress();
        InetAddress to = remote.getAddress();
        if (from instanceof Inet4Address && to instanceof Inet6Address) {
            throw new InvalidAddressException("Cannot reach IPv6 address '" + format(remote)
                    + "' from an IPv4 socket bound to '" + format(local)
                    + "'; bind an IPv6 address ('::' reaches both families) or none");
        }
        if (from instanceof Inet6Address && to instanceof Inet4Address && !from.isAnyLocalAddress()) {
            throw new InvalidAddressException("Cannot reach IPv4 address '" + format(remote)
                    + "' from an IPv6 socket bound to '" + format(local)
                    + "'; bind '::' (dual stack), an IPv4 address, or none");
        }
    }

    /**
     * The socket family for {@code local} if given, else for {@code remote}.
     *
     * @param local the local address, or {@code null}
     * @param remote the peer, or {@code null}
     * @return {@code INET6} or {@code INET}
     */
    public static ProtocolFamily family(InetSocketAddress local, InetSocketAddress remote) {
        InetSocketAddress decides = local != null ? local : remote;
        return decides.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /**
     * {@code 127.0.0.1:5000}, {@code [::1]:5000} or, unresolved, {@code host:5000}.
     *
     * @param address the address, or {@code null}
     * @return its text
     */
    public static String format(InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
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
                + ", not an InetSocketAddress; TCP needs an IP address and a port");
    }
}
