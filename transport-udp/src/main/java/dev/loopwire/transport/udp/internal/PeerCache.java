// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.WinsockCalls;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A loop's bounded cache of peer addresses, both ways: the raw {@code sockaddr} bytes of a
 * received datagram to the {@link InetSocketAddress} handed to handlers, and an address a
 * handler sends to (with the socket's family) to its encoded {@code sockaddr}. A peer seen
 * before costs no allocation either way, however many peers take turns.
 *
 * <p>One per loop ({@link #of}), shared by every completion-loop UDP endpoint of that loop (io_uring
 * and IOCP; the {@code sockaddr} layouts the keys are read from are the same size on both): a server
 * with several sockets sees the same peers on each, and the memory is bounded per loop, not per
 * socket. Each direction is an open-addressing table that grows from {@value #INITIAL_SLOTS}
 * slots to hold up to {@value #MAX_PEERS} peers; when a table is full it is emptied and fills
 * again (a loop talking to more peers than that at once allocates as it would uncached; it never
 * holds more). At the bound the two tables take about 600 KB besides the addresses; with few
 * peers, a few KB.
 *
 * <p>The send side compares addresses with {@link InetSocketAddress#equals} and, for IPv6, the
 * scope id too ({@code equals} ignores it but the {@code sockaddr_in6} carries it).
 *
 * <p>Not thread-safe: used on the loop's thread only. {@link #of} is thread-safe.
 */
final class PeerCache {

    /** At most this many peers per direction; then the table starts again empty. */
    static final int MAX_PEERS = 4096;
    private static final int INITIAL_SLOTS = 64;
    private static final int SOCKADDR_IN = 16;
    private static final int SOCKADDR_IN6 = 28;
    private static final long MIX = 0x9E3779B97F4A7C15L;

    /** Weak keys: a closed loop's port is collected, and its cache with it (the cache never refers to it). */
    private static final Map<Object, PeerCache> BY_LOOP = Collections.synchronizedMap(new WeakHashMap<>());

    private final ByteBuffer scratch = ByteBuffer.allocate(PosixCalls.SOCKADDR_SIZE).order(ByteOrder.nativeOrder());

    // Receive side: slot i holds 4 key words at 4i, the sockaddr length (0: empty) and the address.
    private long[] rawKeys = new long[INITIAL_SLOTS * 4];
    private byte[] rawLengths = new byte[INITIAL_SLOTS];
    private InetSocketAddress[] senders = new InetSocketAddress[INITIAL_SLOTS];
    private int senderCount;

    // Send side: slot i holds the address (null: empty), the socket family and the encoded bytes at 32i.
    private InetSocketAddress[] targets = new InetSocketAddress[INITIAL_SLOTS];
    private boolean[] targetIpv6 = new boolean[INITIAL_SLOTS];
    private byte[] encoded = new byte[INITIAL_SLOTS * PosixCalls.SOCKADDR_SIZE];
    private byte[] encodedLengths = new byte[INITIAL_SLOTS];
    private int targetCount;

    PeerCache() {
    }

    /**
     * The platform's {@code sockaddr} encoder and decoder, as {@link PosixCalls} and
     * {@link WinsockCalls} both offer it; made once per endpoint, so the hot path allocates none.
     */
    interface Codec {
        int encode(InetSocketAddress address, boolean ipv6, ByteBuffer out);

        InetSocketAddress decode(ByteBuffer in, int length);

        static Codec of(PosixCalls posix) {
            return new Codec() {
                @Override
                public int encode(InetSocketAddress address, boolean ipv6, ByteBuffer out) {
                    return posix.encode(address, ipv6, out);
                }

                @Override
                public InetSocketAddress decode(ByteBuffer in, int length) {
                    return posix.decode(in, length);
                }
            };
        }

        static Codec of(WinsockCalls winsock) {
            return new Codec() {
                @Override
                public int encode(InetSocketAddress address, boolean ipv6, ByteBuffer out) {
                    return winsock.encode(address, ipv6, out);
                }

                @Override
                public InetSocketAddress decode(ByteBuffer in, int length) {
                    return winsock.decode(in, length);
                }
            };
        }
    }

    /** The cache of the loop that owns {@code port} (its {@code UringPort} or {@code IocpPort}), created on first use. */
    static PeerCache of(Object port) {
        return BY_LOOP.computeIfAbsent(port, p -> new PeerCache());
    }

    // ---- receive: sockaddr bytes to address

    /**
     * The address in {@code length} bytes at {@code offset} of {@code from}.
     *
     * @param codec decodes a peer not in the cache
     * @param from the received bytes, in native byte order (absolute reads; its position is not used)
     * @param offset where the {@code sockaddr} starts
     * @param length its length as the kernel reported it
     * @return the address; the same instance for the same bytes while they stay cached
     * @throws IllegalArgumentException from {@link PosixCalls#decode} for a family that is neither
     *     INET nor INET6
     */
    InetSocketAddress decode(Codec codec, ByteBuffer from, int offset, int length) {
        long k0;
        long k1 = 0;
        long k2 = 0;
        long k3 = 0;
        if (length == SOCKADDR_IN) {
            k0 = from.getLong(offset); // family, port, address; sin_zero is not part of the peer
        } else if (length == SOCKADDR_IN6) {
            k0 = from.getLong(offset);
            k1 = from.getLong(offset + 8);
            k2 = from.getLong(offset + 16);
            k3 = from.getInt(offset + 24) & 0xffffffffL;
        } else {
            return fresh(codec, from, offset, length);
        }
        int mask = senders.length - 1;
        for (int i = spread(((k0 * MIX + k1) * MIX + k2) * MIX + k3) & mask;; i = (i + 1) & mask) {
            int n = rawLengths[i];
            if (n == 0) {
                break;
            }
            int k = 4 * i;
            if (n == length && rawKeys[k] == k0 && rawKeys[k + 1] == k1 && rawKeys[k + 2] == k2
                    && rawKeys[k + 3] == k3) {
                return senders[i];
            }
        }
        InetSocketAddress address = fresh(codec, from, offset, length);
        if (senderCount >= MAX_PEERS) {
            Arrays.fill(rawLengths, (byte) 0);
            Arrays.fill(senders, null);
            senderCount = 0;
        } else if (2 * (senderCount + 1) > senders.length) {
            growSenders();
        }
        putSender(k0, k1, k2, k3, length, address);
        return address;
    }

    private InetSocketAddress fresh(Codec codec, ByteBuffer from, int offset, int length) {
        int n = Math.min(length, PosixCalls.SOCKADDR_SIZE);
        scratch.clear().put(0, from, offset, n);
        return codec.decode(scratch, n);
    }

    private void putSender(long k0, long k1, long k2, long k3, int length, InetSocketAddress address) {
        int mask = senders.length - 1;
        int i = spread(((k0 * MIX + k1) * MIX + k2) * MIX + k3) & mask;
        while (rawLengths[i] != 0) {
            i = (i + 1) & mask;
        }
        int k = 4 * i;
        rawKeys[k] = k0;
        rawKeys[k + 1] = k1;
        rawKeys[k + 2] = k2;
        rawKeys[k + 3] = k3;
        rawLengths[i] = (byte) length;
        senders[i] = address;
        senderCount++;
    }

    private void growSenders() {
        long[] oldKeys = rawKeys;
        byte[] oldLengths = rawLengths;
        InetSocketAddress[] oldSenders = senders;
        int slots = oldSenders.length * 2;
        rawKeys = new long[slots * 4];
        rawLengths = new byte[slots];
        senders = new InetSocketAddress[slots];
        senderCount = 0;
        for (int i = 0; i < oldSenders.length; i++) {
            if (oldLengths[i] != 0) {
                int k = 4 * i;
                putSender(oldKeys[k], oldKeys[k + 1], oldKeys[k + 2], oldKeys[k + 3], oldLengths[i], oldSenders[i]);
            }
        }
    }

    // ---- send: address to sockaddr bytes

    /**
     * Writes {@code to} as a {@code sockaddr} at {@code out}'s position (position unchanged), as
     * {@link PosixCalls#encode} does.
     *
     * @param codec encodes an address not in the cache (and checks it)
     * @return the sockaddr's length
     * @throws IllegalArgumentException from {@link PosixCalls#encode} for an unresolved address,
     *     or an IPv6 one for an IPv4 socket; nothing is cached then
     */
    int encode(Codec codec, InetSocketAddress to, boolean ipv6, ByteBuffer out) {
        int mask = targets.length - 1;
        int scope = scope(to);
        for (int i = targetSlot(to, ipv6, mask);; i = (i + 1) & mask) {
            InetSocketAddress t = targets[i];
            if (t == null) {
                break;
            }
            if (targetIpv6[i] == ipv6 && (t == to || (t.equals(to) && scope(t) == scope))) {
                int n = encodedLengths[i];
                out.put(out.position(), encoded, i * PosixCalls.SOCKADDR_SIZE, n);
                return n;
            }
        }
        int n = codec.encode(to, ipv6, scratch.clear());
        out.put(out.position(), scratch, 0, n);
        if (targetCount >= MAX_PEERS) {
            Arrays.fill(targets, null);
            targetCount = 0;
        } else if (2 * (targetCount + 1) > targets.length) {
            growTargets();
        }
        putTarget(to, ipv6, scratch.array(), 0, n);
        return n;
    }

    private void putTarget(InetSocketAddress to, boolean ipv6, byte[] bytes, int offset, int length) {
        int mask = targets.length - 1;
        int i = targetSlot(to, ipv6, mask);
        while (targets[i] != null) {
            i = (i + 1) & mask;
        }
        targets[i] = to;
        targetIpv6[i] = ipv6;
        System.arraycopy(bytes, offset, encoded, i * PosixCalls.SOCKADDR_SIZE, length);
        encodedLengths[i] = (byte) length;
        targetCount++;
    }

    private void growTargets() {
        InetSocketAddress[] oldTargets = targets;
        boolean[] oldIpv6 = targetIpv6;
        byte[] oldEncoded = encoded;
        byte[] oldLengths = encodedLengths;
        int slots = oldTargets.length * 2;
        targets = new InetSocketAddress[slots];
        targetIpv6 = new boolean[slots];
        encoded = new byte[slots * PosixCalls.SOCKADDR_SIZE];
        encodedLengths = new byte[slots];
        targetCount = 0;
        for (int i = 0; i < oldTargets.length; i++) {
            if (oldTargets[i] != null) {
                putTarget(oldTargets[i], oldIpv6[i], oldEncoded, i * PosixCalls.SOCKADDR_SIZE, oldLengths[i]);
            }
        }
    }

    private static int targetSlot(InetSocketAddress to, boolean ipv6, int mask) {
        return spread(to.hashCode() * MIX + (ipv6 ? 1 : 0)) & mask;
    }

    private static int scope(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address v6 ? v6.getScopeId() : 0;
    }

    private static int spread(long x) {
        x ^= x >>> 29;
        x *= MIX;
        return (int) (x ^ (x >>> 32));
    }

    /** Peers cached on the receive side; tests only. */
    int senders() {
        return senderCount;
    }

    /** Peers cached on the send side; tests only. */
    int targets() {
        return targetCount;
    }
}
