// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.BiFunction;

/**
 * A one-entry cache from raw {@code sockaddr} bytes to an {@link InetSocketAddress}: while
 * datagrams keep coming from the same peer, {@link #decode} compares the bytes with the last
 * ones and returns the same instance, allocating nothing.
 *
 * <p>Not thread-safe: one per endpoint, on its loop thread.
 */
final class SenderCache {

    private static final int MAX = 32;

    private final BiFunction<ByteBuffer, Integer, InetSocketAddress> decoder;
    private final byte[] last = new byte[MAX];
    private final ByteBuffer scratch = ByteBuffer.wrap(new byte[MAX]);
    private int lastLength = -1;
    private InetSocketAddress lastAddress;

    /**
     * @param decoder decodes {@code length} bytes at the buffer's position (such as
     *     {@code PosixCalls::decode})
     */
    SenderCache(BiFunction<ByteBuffer, Integer, InetSocketAddress> decoder) {
        this.decoder = decoder;
    }

    /**
     * The address in {@code length} bytes at {@code offset} of {@code from}.
     *
     * @param from the received bytes (absolute reads; its position is not used)
     * @param offset where the {@code sockaddr} starts
     * @param length its length, at most 32
     * @return the address; the last instance if the bytes are the same
     */
    InetSocketAddress decode(ByteBuffer from, int offset, int length) {
        int n = Math.min(length, MAX);
        if (n == lastLength && same(from, offset, n)) {
            return lastAddress;
        }
        for (int i = 0; i < n; i++) {
            last[i] = from.get(offset + i);
        }
        scratch.put(0, last, 0, n);
        lastAddress = decoder.apply(scratch.clear(), n);
        lastLength = n;
        return lastAddress;
    }

    private boolean same(ByteBuffer from, int offset, int n) {
        for (int i = 0; i < n; i++) {
            if (last[i] != from.get(offset + i)) {
                return false;
            }
        }
        return true;
    }
}
