// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static dev.loopwire.loop.completion.internal.windows.WinLayout.SIN6_ADDR;
import static dev.loopwire.loop.completion.internal.windows.WinLayout.SIN6_FLOWINFO;
import static dev.loopwire.loop.completion.internal.windows.WinLayout.SIN6_SCOPE_ID;
import static dev.loopwire.loop.completion.internal.windows.WinLayout.SIN_ADDR;
import static dev.loopwire.loop.completion.internal.windows.WinLayout.SOCKADDR_IN6_SIZE;
import static dev.loopwire.loop.completion.internal.windows.WinLayout.SOCKADDR_IN_SIZE;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Encodes {@link InetSocketAddress}es into Windows {@code sockaddr_in} / {@code sockaddr_in6}
 * bytes and decodes them back, in any {@link ByteBuffer} (normally a view of native memory).
 *
 * <p>Windows numbers the families {@code AF_INET = 2} and {@code AF_INET6 = 23} (not 10 as on
 * Linux). The family, flow info and scope id are little-endian (Windows runs little-endian on
 * every supported CPU); the port and the address are in network byte order. All accesses are
 * absolute and byte-wise, so the result does not depend on the buffer's order or position, and
 * the tests run on any host.
 *
 * <p>An IPv6 socket on Windows is dual-stack only when {@code IPV6_V6ONLY} is switched off (the
 * default there is on); {@link IocpDriver} does so, and this codec writes IPv4 targets of such a
 * socket as IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}). Decoding turns a mapped
 * address back into an {@link Inet4Address}, as the JDK's own datagram channels do.
 *
 * <p><b>Thread-safety.</b> The static methods are stateless. A {@link SenderCache} belongs to
 * one socket and is used on its loop thread only.
 */
public final class SockaddrCodec {

    private SockaddrCodec() {
    }

    /**
     * Writes {@code address} at {@code offset} in the form a socket of the given family takes.
     *
     * @param address a resolved address with a port
     * @param ipv6Socket whether the socket is {@code AF_INET6} (dual-stack)
     * @param dst where to write, at least {@code offset + 28} bytes long
     * @param offset where the sockaddr starts
     * @return the sockaddr length to pass to Winsock: 16 or 28
     * @throws IllegalArgumentException if the address is unresolved, or IPv6 while the socket is IPv4
     */
    public static int encode(InetSocketAddress address, boolean ipv6Socket, ByteBuffer dst, int offset) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("Address '" + address
                    + "' is unresolved; resolve it first, e.g. new InetSocketAddress(InetAddress.getByName(host), port)");
        }
        int port = address.getPort();
        if (!ipv6Socket) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException("Address '" + address
                        + "' is IPv6 but the socket is IPv4; open the socket with StandardProtocolFamily.INET6");
            }
            putFamily(dst, offset, Ws2_32.AF_INET);
            putPort(dst, offset, port);
            byte[] bytes = ip.getAddress();
            for (int i = 0; i < 4; i++) {
                dst.put(offset + SIN_ADDR + i, bytes[i]);
            }
            for (int i = SIN_ADDR + 4; i < SOCKADDR_IN_SIZE; i++) {
                dst.put(offset + i, (byte) 0);
            }
            return SOCKADDR_IN_SIZE;
        }
        putFamily(dst, offset, Ws2_32.AF_INET6);
        putPort(dst, offset, port);
        putLittleInt(dst, offset + SIN6_FLOWINFO, 0);
        byte[] bytes = ip.getAddress();
        if (bytes.length == 4) {
            for (int i = 0; i < 10; i++) {
                dst.put(offset + SIN6_ADDR + i, (byte) 0);
            }
            dst.put(offset + SIN6_ADDR + 10, (byte) 0xff);
            dst.put(offset + SIN6_ADDR + 11, (byte) 0xff);
            for (int i = 0; i < 4; i++) {
                dst.put(offset + SIN6_ADDR + 12 + i, bytes[i]);
            }
        } else {
            for (int i = 0; i < 16; i++) {
                dst.put(offset + SIN6_ADDR + i, bytes[i]);
            }
        }
        int scope = ip instanceof Inet6Address ? ((Inet6Address) ip).getScopeId() : 0;
        putLittleInt(dst, offset + SIN6_SCOPE_ID, scope);
        return SOCKADDR_IN6_SIZE;
    }

    /**
     * Reads the sockaddr at {@code offset}.
     *
     * @param length the length Winsock reported for it
     * @throws IllegalArgumentException if the family is neither AF_INET nor AF_INET6, or the
     *     length is too short for the family
     */
    public static InetSocketAddress decode(ByteBuffer src, int offset, int length) {
        int family = family(src, offset);
        int port = ((src.get(offset + 2) & 0xff) << 8) | (src.get(offset + 3) & 0xff);
        try {
            if (family == Ws2_32.AF_INET && length >= SOCKADDR_IN_SIZE) {
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    bytes[i] = src.get(offset + SIN_ADDR + i);
                }
                return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
            }
            if (family == Ws2_32.AF_INET6 && length >= SOCKADDR_IN6_SIZE) {
                byte[] bytes = new byte[16];
                for (int i = 0; i < 16; i++) {
                    bytes[i] = src.get(offset + SIN6_ADDR + i);
                }
                int scope = getLittleInt(src, offset + SIN6_SCOPE_ID);
                // getByAddress turns ::ffff:a.b.c.d into an Inet4Address; a scope only makes sense
                // for a real IPv6 address.
                InetAddress ip = InetAddress.getByAddress(bytes);
                if (scope != 0 && ip instanceof Inet6Address) {
                    ip = Inet6Address.getByAddress(null, bytes, scope);
                }
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException impossible) {
            // Only thrown for an address array of the wrong length, which cannot happen here.
            throw new AssertionError(impossible);
        }
        throw new IllegalArgumentException("sockaddr of family '" + family + "' and length '" + length
                + "' is neither sockaddr_in (AF_INET 2, 16 bytes) nor sockaddr_in6 (AF_INET6 23, 28 bytes)");
    }

    /** The {@code sa_family} at {@code offset}. */
    public static int family(ByteBuffer src, int offset) {
        return (src.get(offset) & 0xff) | ((src.get(offset + 1) & 0xff) << 8);
    }

    private static void putFamily(ByteBuffer dst, int offset, int family) {
        dst.put(offset, (byte) family);
        dst.put(offset + 1, (byte) (family >>> 8));
    }

    private static void putPort(ByteBuffer dst, int offset, int port) {
        if (port < 0 || port > 0xffff) {
            // InetSocketAddress already refuses this; kept for callers that build ports by hand.
            throw new IllegalArgumentException("Port '" + port + "' is out of range; use 0 to 65535");
        }
        dst.put(offset + 2, (byte) (port >>> 8));
        dst.put(offset + 3, (byte) port);
    }

    private static void putLittleInt(ByteBuffer dst, int index, int value) {
        for (int i = 0; i < 4; i++) {
            dst.put(index + i, (byte) (value >>> (8 * i)));
        }
    }

    private static int getLittleInt(ByteBuffer src, int index) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value |= (src.get(index + i) & 0xff) << (8 * i);
        }
        return value;
    }

    /**
     * Decodes senders, handing back the same {@link InetSocketAddress} instance while the raw
     * sockaddr bytes stay the same, so a steady peer costs no allocation per datagram.
     *
     * <p><b>Thread-safety.</b> Not thread-safe; one per socket, used on its loop thread.
     */
    public static final class SenderCache {

        private final byte[] last = new byte[SOCKADDR_IN6_SIZE];
        private final byte[] scratch = new byte[SOCKADDR_IN6_SIZE];
        private int lastLength = -1;
        private InetSocketAddress lastAddress;

        /** Like {@link SockaddrCodec#decode}, reusing the previous result when the bytes match. */
        public InetSocketAddress decode(ByteBuffer src, int offset, int length) {
            int n = Math.min(length, SOCKADDR_IN6_SIZE);
            for (int i = 0; i < n; i++) {
                scratch[i] = src.get(offset + i);
            }
            if (n == lastLength && Arrays.equals(scratch, 0, n, last, 0, n)) {
                return lastAddress;
            }
            InetSocketAddress decoded = SockaddrCodec.decode(src, offset, length);
            System.arraycopy(scratch, 0, last, 0, n);
            lastLength = n;
            lastAddress = decoded;
            return decoded;
        }
    }
}
