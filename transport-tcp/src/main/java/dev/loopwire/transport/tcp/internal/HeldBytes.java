// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Bytes a connection received while it was not to deliver them (reading paused, or a handler
 * paused inside its call) and delivers first on resume, in order: copied out of the loop's
 * provided buffers (which go back to the kernel when the receive's call returns) into chunks
 * that a per-loop {@link Pool} recycles, so holding allocates nothing once the pool is warm.
 *
 * <p>Each chunk comes with a read-only view made once, handed to {@code onData} as the loop's
 * own read buffers are.
 *
 * <p><b>Concurrency.</b> Loop thread only, as the pool.
 */
final class HeldBytes {

    /** One chunk: its memory and the read-only view of it that handlers see. */
    static final class Chunk {
        final ByteBuffer data;
        final ByteBuffer view;

        private Chunk(int size) {
            data = ByteBuffer.allocateDirect(size);
            view = data.asReadOnlyBuffer();
            data.limit(0);
        }

        /** The view over the bytes held, valid until the chunk goes back to the pool. */
        ByteBuffer bytes() {
            return view.clear().limit(data.limit());
        }
    }

    /** The chunks of one loop's connections; loop thread only. */
    static final class Pool {
        private final ArrayDeque<Chunk> idle = new ArrayDeque<>();
        private final int chunkSize;
        private final int kept;

        Pool(int chunkSize, int kept) {
            this.chunkSize = chunkSize;
            this.kept = kept;
        }

        Chunk take() {
            Chunk c = idle.pollFirst();
            if (c == null) {
                return new Chunk(chunkSize);
            }
            c.data.clear().limit(0);
            return c;
        }

        void giveBack(Chunk c) {
            if (idle.size() < kept) {
                idle.addFirst(c);
            }
        }
    }

    private final Pool pool;
    private Chunk[] chunks = new Chunk[4];
    private int count;
    private Chunk[] spare = new Chunk[4];

    HeldBytes(Pool pool) {
        this.pool = pool;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Appends {@code src[from, to)}. */
    void hold(ByteBuffer src, int from, int to) {
        while (from < to) {
            Chunk last = count == 0 ? null : chunks[count - 1];
            if (last == null || last.data.limit() == last.data.capacity()) {
                last = pool.take();
                add(last);
            }
            int at = last.data.limit();
            int n = Math.min(to - from, last.data.capacity() - at);
            last.data.limit(at + n);
            last.data.put(at, src, from, n);
            from += n;
        }
    }

    private void add(Chunk c) {
        if (count == chunks.length) {
            chunks = Arrays.copyOf(chunks, count * 2);
        }
        chunks[count++] = c;
    }

    /** How many chunks are held (what {@link #takeAll()} returns). */
    int count() {
        return count;
    }

    /**
     * Takes every chunk out, in order ({@link #count()} of them, read before the call), leaving
     * this empty: what is held while they are delivered (a buffered handler pausing inside its
     * call) is held anew. The caller empties the returned array, handing each chunk to
     * {@link #done} or, if it stops early, to {@link #putBack} in order; not re-entrant (the
     * array is reused by the next call).
     */
    Chunk[] takeAll() {
        Chunk[] out = chunks;
        chunks = spare;
        spare = out;
        count = 0;
        return out;
    }

    /** A delivered chunk, back to the pool. */
    void done(Chunk c) {
        pool.giveBack(c);
    }

    /** A chunk not delivered after all, held again behind what is held now. */
    void putBack(Chunk c) {
        add(c);
    }
}
