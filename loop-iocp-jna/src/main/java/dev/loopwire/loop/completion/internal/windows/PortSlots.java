// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The {@link PortOp} pool of an {@link LoopIocpPort}: slots are carved from chunks of Java-owned
 * direct memory ({@value #PER_CHUNK} slots a chunk), created on demand and never freed while the
 * port lives, so an {@code OVERLAPPED} the system may still write is always valid memory.
 *
 * <p>A dequeued {@code OVERLAPPED} address finds its slot by a range check per chunk (a handful
 * of chunks even with thousands of operations in flight) and a division: no map, no allocation.
 *
 * <p>Loop thread only, except {@link #bytes()}.
 */
final class PortSlots {

    static final int PER_CHUNK = 64;
    static final int CHUNK_BYTES = PER_CHUNK * PortOp.SIZE;

    private ByteBuffer[] chunks = new ByteBuffer[4];
    private long[] bases = new long[4];
    private int chunkCount;
    private PortOp[] ops = new PortOp[0];
    private PortOp free;
    private volatile long bytes;

    /** A slot for a new operation, with a fresh id. */
    PortOp acquire() {
        if (free == null) {
            grow();
        }
        PortOp op = free;
        free = op.next;
        op.next = null;
        op.generation = op.generation == Integer.MAX_VALUE ? 1 : op.generation + 1;
        op.id = (long) op.generation << 32 | op.index;
        return op;
    }

    void recycle(PortOp op) {
        op.next = free;
        free = op;
    }

    private void grow() {
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunkCount * 2);
            bases = Arrays.copyOf(bases, chunkCount * 2);
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long base = LoopIocpPort.baseAddress(chunk);
        chunks[chunkCount] = chunk;
        bases[chunkCount] = base;
        int first = chunkCount * PER_CHUNK;
        ops = Arrays.copyOf(ops, first + PER_CHUNK);
        for (int i = PER_CHUNK - 1; i >= 0; i--) {
            PortOp op = new PortOp(first + i, chunk, i * PortOp.SIZE, base + (long) i * PortOp.SIZE);
            ops[first + i] = op;
            op.next = free;
            free = op;
        }
        chunkCount++;
        bytes = (long) chunkCount * CHUNK_BYTES;
    }

    /** The slot whose OVERLAPPED is at {@code overlapped}, or {@code null} if none is. */
    PortOp at(long overlapped) {
        for (int c = 0; c < chunkCount; c++) {
            long delta = overlapped - bases[c];
            if (delta >= 0 && delta < CHUNK_BYTES) {
                return delta % PortOp.SIZE == 0 ? ops[c * PER_CHUNK + (int) (delta / PortOp.SIZE)] : null;
            }
        }
        return null;
    }

    /** The operation in flight with this id, or {@code null}. */
    PortOp byId(long id) {
        int index = (int) id;
        if (index < 0 || index >= ops.length) {
            return null;
        }
        PortOp op = ops[index];
        return op.id == id && op.inFlight ? op : null;
    }

    /** Bytes of slot memory; any thread. */
    long bytes() {
        return bytes;
    }
}
