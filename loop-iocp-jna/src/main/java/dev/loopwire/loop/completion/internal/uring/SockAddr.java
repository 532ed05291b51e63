// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Converts between {@link InetSocketAddress} and Linux {@code sockaddr_in} /
 * {@code sockaddr_in6} bytes.
 *
 * <p>A {@link SockAddr} instance is a one-entry cache for decoding: while datagrams keep coming
 * from the same peer, {@link #decode} compares the raw bytes with the last ones and returns the
 * same {@link InetSocketAddress}, allocating nothing.
 *
 * <p>Not thread-safe.
 */
final class SockAddr {

    /** Room reserved for a socket address: sockaddr_in6 is 28 bytes. */
    static final int SIZE = 32;

    private final byte[] lastRaw = new byte[SIZE];
    private int lastLength = -1;
    private InetSocketAddress last;

    /**
     * Writes {@code address} at {@code offset}; an IPv4 address on an IPv6 socket is written
     * IPv4-mapped.
     *
     * @return the sockaddr length
     */
    static int encode(InetSocketAddress address, boolean ipv6Socket, ByteBuffer to, int offset) {
        InetAddress ip = address.getAddress();
        int port = address.getPort();
        for (int i = 0; i < SIZE; i += 8) {
            to.putLong(offset + i, 0);
        }
        if (!ipv6Socket) {
            to.putShort(offset, (short) LibC.AF_INET);
            putPort(to, offset + 2, port);
            to.put(offset + 4, ip.getAddress(), 0, 4);
            return 16;
        }
        to.putShort(offset, (short) LibC.AF_INET6);
        putPort(to, offset + 2, port);
        if (ip instanceof Inet4Address) {
            to.putShort(offset + 18, (short) -1); // ::ffff:a.b.c.d
            to.put(offset + 20, ip.getAddress(), 0, 4);
        } else {
            to.put(offset + 8, ip.getAddress(), 0, 16);
            to.putInt(offset + 24, ((Inet6Address) ip).getScopeId());
        }
        return 28;
    }

    private static void putPort(ByteBuffer to, int offset, int port) {
        to.put(offset, (byte) (port >>> 8));
        to.put(offset + 1, (byte) port);
    }

    /**
     * Reads the address at {@code offset}, reusing the last result when the bytes are equal.
     *
     * @return the address, or {@code null} if the family is neither INET nor INET6
     */
    InetSocketAddress decode(ByteBuffer from, int offset, int length) {
        if (length == lastLength && same(from, offset, length)) {
            return last;
        }
        InetSocketAddress decoded = decodeFresh(from, offset, length);
        if (decoded != null) {
            for (int i = 0; i < length; i++) {
                lastRaw[i] = from.get(offset + i);
            }
            lastLength = length;
            last = decoded;
        }
        return decoded;
    }

    private boolean same(ByteBuffer from, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (lastRaw[i] != from.get(offset + i)) {
                return false;
            }
        }
        return true;
    }

    static InetSocketAddress decodeFresh(ByteBuffer from, int offset, int length) {
        int family = from.getShort(offset) & 0xffff;
        int port = ((from.get(offset + 2) & 0xff) << 8) | (from.get(offset + 3) & 0xff);
        try {
            if (family == LibC.AF_INET && length >= 16) {
                byte[] ip = new byte[4];
                from.get(offset + 4, ip);
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            }
            if (family == LibC.AF_INET6 && length >= 28) {
                byte[] ip = new byte[16];
                from.get(offset + 8, ip);
                int scope = from.getInt(offset + 24);
                InetAddress address = scope != 0 && !isMapped(ip)
                        ? Inet6Address.getByAddress(null, ip, scope) : InetAddress.getByAddress(ip);
                return new InetSocketAddress(address, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4 or 16 byte address is always valid", e);
        }
        return null;
    }

    private static boolean isMapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == -1 && ip[11] == -1;
    }
}
