// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.transport.tcp.OutputClosedException;
import java.nio.ByteBuffer;
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

    /** One buffer whose owner is to be told it is released; made only for {@code writeNoCopy} buffers. */
    record Entry(ByteBuffer data, Consumer<? super ByteBuffer> release) {
    }

    /**
     * Where the queue's private copies come from. Called under the queue's lock, on any writer's
     * thread for {@link #take}, on the loop thread for {@link #giveBack}.
     */
    interface Copies {
        /**
         * A buffer for at least one and at most {@code bytes} bytes of copy: position 0, limit 0,
         * the room being its capacity. A provider may hand out larger pooled chunks; the queue
         * appends later copies into the room left after the limit.
         */
        ByteBuffer take(int bytes);

        /** A copy the queue is done with (all sent, or dropped). */
        void giveBack(ByteBuffer copy);

        /**
         * A copy the queue dropped while a send in flight may still read it: not to be handed out
         * again, but no longer the queue's.
         */
        default void forget(ByteBuffer copy) {
        }

        /** Heap copies of exactly the bytes written, left to the garbage collector. */
        Copies HEAP = new Copies() {
            @Override
            public ByteBuffer take(int bytes) {
                return ByteBuffer.allocate(bytes).limit(0);
            }

            @Override
            public void giveBack(ByteBuffer copy) {
                // The garbage collector's.
            }
        };
    }

    // A ring of entries: data[i] with release[i], null for a private copy. Arrays rather than
    // an entry object each, so that a write allocates nothing once the ring has grown.
    private ByteBuffer[] data = new ByteBuffer[8];
    @SuppressWarnings("unchecked")
    private Consumer<? super ByteBuffer>[] release = new Consumer[8];
    private int head;
    private int count;
    private final Copies copies;
    private final int low;
    private final int high;
    private final int limit;
    private long bytes;
    private volatile boolean writable = true;
    private boolean wentUnwritable;
    private String refusal;

    WriteQueue(int low, int high, int limit) {
        this(low, high, limit, Copies.HEAP);
    }

    WriteQueue(int low, int high, int limit, Copies copies) {
        this.low = low;
        this.high = high;
        this.limit = limit;
        this.copies = copies;
    }

    /**
     * Takes the remaining bytes of {@code data}: straight to {@code direct} if given and nothing
     * is queued, the rest copied (or, with {@code release}, the buffer itself) into the queue.
     * Copies go first into the room left in the last copy (a send in flight names only the range
     * it was given, so appending behind it is safe), then into new ones from {@link Copies}.
     * On anything but {@link Offer#REFUSED} a copied buffer's position is at its limit.
     *
     * @throws OutputClosedException once {@link #refuse} was called
     */
    synchronized Offer offer(ByteBuffer data, Consumer<? super ByteBuffer> release, Sink direct) {
        if (refusal != null) {
            throw new OutputClosedException(refusal);
        }
        if (release != null && !data.hasRemaining()) {
            return Offer.WRITTEN; // an empty writeNoCopy buffer is never queued: queued, empty ones would be unbounded
        }
        if (bytes + data.remaining() > limit) {
            if (writable) {
                writable = false;
                wentUnwritable = true;
            }
            return Offer.REFUSED;
        }
        if (direct != null && count == 0 && data.hasRemaining()) {
            direct.writeNow(data);
            if (!data.hasRemaining()) {
                return Offer.WRITTEN;
            }
        }
        int length = data.remaining();
        if (release != null) {
            add(data, release);
        } else {
            copy(data);
        }
        bytes += length;
        if (writable && bytes > high) {
            writable = false;
            wentUnwritable = true;
            return Offer.QUEUED_NOW_UNWRITABLE;
        }
        return Offer.QUEUED;
    }

    private void copy(ByteBuffer src) {
        while (src.hasRemaining()) {
            ByteBuffer tail = count == 0 || this.release[last()] != null ? null : this.data[last()];
            if (tail == null || tail.limit() == tail.capacity()) {
                tail = copies.take(src.remaining());
                add(tail, null);
            }
            int at = tail.limit();
            int n = Math.min(src.remaining(), tail.capacity() - at);
            tail.limit(at + n);
            tail.put(at, src, src.position(), n);
            src.position(src.position() + n);
        }
    }

    private int last() {
        return (head + count - 1) & (data.length - 1);
    }

    private void add(ByteBuffer buffer, Consumer<? super ByteBuffer> onRelease) {
        if (count == data.length) {
            grow();
        }
        int at = (head + count) & (data.length - 1);
        data[at] = buffer;
        release[at] = onRelease;
        count++;
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        ByteBuffer[] d = new ByteBuffer[data.length * 2];
        Consumer<? super ByteBuffer>[] r = new Consumer[data.length * 2];
        for (int i = 0; i < count; i++) {
            d[i] = data[(head + i) & (data.length - 1)];
            r[i] = release[(head + i) & (data.length - 1)];
        }
        data = d;
        release = r;
        head = 0;
    }

    /** Removes the head entry: a copy goes back to {@link Copies}, an owned buffer to {@code released}. */
    private void removeHead(List<Entry> released, boolean recycle) {
        ByteBuffer b = data[head];
        Consumer<? super ByteBuffer> r = release[head];
        data[head] = null;
        release[head] = null;
        head = (head + 1) & (data.length - 1);
        count--;
        if (r != null) {
            released.add(new Entry(b, r));
        } else if (recycle) {
            copies.giveBack(b);
        } else {
            copies.forget(b);
        }
    }

    /** Puts up to {@code out.length} head buffers into {@code out}; returns how many. */
    synchronized int fill(ByteBuffer[] out) {
        int n = Math.min(count, out.length);
        for (int i = 0; i < n; i++) {
            out[i] = data[(head + i) & (data.length - 1)];
        }
        return n;
    }

    /**
     * As {@link #fill(ByteBuffer[])}, with each buffer's remaining bytes as of now in
     * {@code lengths}: a writer on another thread may append to the last copy after this returns
     * (moving its limit), so a send must name only the bytes seen here, under the lock that made
     * them visible.
     */
    synchronized int fill(ByteBuffer[] out, int[] lengths) {
        int n = Math.min(Math.min(count, out.length), lengths.length);
        for (int i = 0; i < n; i++) {
            out[i] = data[(head + i) & (data.length - 1)];
            lengths[i] = out[i].remaining();
        }
        return n;
    }

    /** The first buffer, or {@code null}; for providers that send one buffer at a time. */
    synchronized ByteBuffer head() {
        return count == 0 ? null : data[head];
    }

    /**
     * Records that {@code written} bytes left, the head buffers' positions having advanced by as
     * much: drops the finished entries, adding those to release to {@code released} and giving
     * the copies back.
     *
     * @return whether the queue is now empty
     */
    synchronized boolean consumed(long written, List<Entry> released) {
        bytes -= written;
        while (count > 0 && !data[head].hasRemaining()) {
            removeHead(released, true);
        }
        if (!writable && bytes <= low) {
            writable = true;
        }
        return count == 0;
    }

    /**
     * Drops every entry, adding those to release to {@code released}; returns the bytes dropped.
     * Copies go back to {@link Copies} only with {@code recycle}: not while a send in flight may
     * still read one (its memory must not be handed to another connection's writes).
     */
    synchronized long drop(List<Entry> released, boolean recycle) {
        while (count > 0) {
            removeHead(released, recycle);
        }
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
        return count == 0;
    }
}
