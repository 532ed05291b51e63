// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.transport.tcp.OutputClosedException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The bytes a connection has accepted and not yet handed to its socket, in order, with the water
 * marks that decide writability and the hard bound past which writes are refused.
 *
 * <p>Entries are either private copies or buffers owned by the connection until released
 * ({@code writeNoCopy}). Bytes in flight (handed to an asynchronous send that has not completed)
 * stay in the queue until {@link #consumed} says they left, so a provider with one send in flight
 * (io_uring, IOCP) and a provider that writes synchronously (readiness) use it the same way.
 *
 * <p><b>Concurrency.</b> Every method is synchronized: writers on any thread offer, the loop
 * thread fills, consumes and drops. A direct write on the loop thread happens under the lock, so
 * no other writer's bytes can slip between the part written at once and the part queued.
 */
final class WriteQueue {

    /** Writes bytes to the socket at once; returns how many it took (0 if it cannot now). */
    interface Sink {
        int writeNow(ByteBuffer data);
    }

    /** What became of an offer. */
    enum Offer {
        /** Everything went to the socket at once; nothing queued. */
        WRITTEN,
        /** Queued, writability unchanged. */
        QUEUED,
        /** Queued, and the queue rose above the high water mark. */
        QUEUED_NOW_UNWRITABLE,
        /**
         * Refused: the queue would pass its hard bound. Nothing was taken, and the queue is now
         * unwritable (if it was not already), so that the refused writer hears when to retry.
         */
        REFUSED
    }

    /** One queued buffer; {@code release} is {@code null} for a private copy. */
    record Entry(ByteBuffer data, Consumer<? super ByteBuffer> release) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final int low;
    private final int high;
    private final int limit;
    private long bytes;
    private volatile boolean writable = true;
    private boolean wentUnwritable;
    private String refusal;

    WriteQueue(int low, int high, int limit) {
        this.low = low;
        this.high = high;
        this.limit = limit;
    }

    /**
     * Takes the remaining bytes of {@code data}: straight to {@code direct} if given and nothing
     * is queued, the rest copied (or, with {@code release}, the buffer itself) into the queue.
     * On anything but {@link Offer#REFUSED} a copied buffer's position is at its limit.
     *
     * @throws OutputClosedException once {@link #refuse} was called
     */
    synchronized Offer offer(ByteBuffer data, Consumer<? super ByteBuffer> release, Sink direct) {
        if (refusal != null) {
            throw new OutputClosedException(refusal);
        }
        if (bytes + data.remaining() > limit) {
            if (writable) {
                writable = false;
                wentUnwritable = true;
            }
            return Offer.REFUSED;
        }
        if (direct != null && entries.isEmpty() && data.hasRemaining()) {
            direct.writeNow(data);
            if (!data.hasRemaining()) {
                return Offer.WRITTEN;
            }
        }
        int length = data.remaining();
        if (release != null) {
            entries.add(new Entry(data, release));
        } else {
            ByteBuffer copy = ByteBuffer.allocate(length);
            copy.put(data).flip();
            entries.add(new Entry(copy, null));
        }
        bytes += length;
        if (writable && bytes > high) {
            writable = false;
            wentUnwritable = true;
            return Offer.QUEUED_NOW_UNWRITABLE;
        }
        return Offer.QUEUED;
    }

    /** Puts up to {@code out.length} head buffers into {@code out}; returns how many. */
    synchronized int fill(ByteBuffer[] out) {
        int n = 0;
        for (Entry e : entries) {
            if (n == out.length) {
                break;
            }
            out[n++] = e.data();
        }
        return n;
    }

    /** The first buffer, or {@code null}; for providers that send one buffer at a time. */
    synchronized ByteBuffer head() {
        Entry e = entries.peekFirst();
        return e == null ? null : e.data();
    }

    /**
     * Records that {@code written} bytes left, the head buffers' positions having advanced by as
     * much: drops the finished entries, adding those to release to {@code released}.
     *
     * @return whether the queue is now empty
     */
    synchronized boolean consumed(long written, List<Entry> released) {
        bytes -= written;
        Entry e;
        while ((e = entries.peekFirst()) != null && !e.data().hasRemaining()) {
            entries.pollFirst();
            if (e.release() != null) {
                released.add(e);
            }
        }
        if (!writable && bytes <= low) {
            writable = true;
        }
        return entries.isEmpty();
    }

    /** Drops every entry, adding those to release to {@code released}; returns the bytes dropped. */
    synchronized long drop(List<Entry> released) {
        for (Entry e : entries) {
            if (e.release() != null) {
                released.add(e);
            }
        }
        entries.clear();
        long dropped = bytes;
        bytes = 0;
        return dropped;
    }

    /** From now on {@link #offer} throws an {@link OutputClosedException} with {@code message}. */
    synchronized void refuse(String message) {
        refusal = message;
    }

    /** As {@link #refuse}, unless a refusal is already set: the first reason stays. */
    synchronized void refuseUnlessRefusing(String message) {
        if (refusal == null) {
            refusal = message;
        }
    }

    /** Whether the queue went above the high water mark since the last call (even if it is below again). */
    synchronized boolean takeWentUnwritable() {
        boolean went = wentUnwritable;
        wentUnwritable = false;
        return went;
    }

    boolean isWritable() {
        return writable;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized boolean isEmpty() {
        return entries.isEmpty();
    }
}
