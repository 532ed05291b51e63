// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded queue of datagrams waiting for the socket, bounded in datagrams and in payload
 * bytes.
 *
 * <p>A sender {@linkplain #reserve reserves} room first, then {@linkplain #add adds} its copy;
 * the loop thread {@linkplain #peek peeks}, sends and {@linkplain #remove removes}. Writability
 * has hysteresis: the queue turns unwritable when it has no room left for a datagram of the
 * maximum size, and writable again when it has drained to half of both bounds (or is empty).
 *
 * <p><b>Concurrency.</b> Lock-free: the counts, the writability and the "went unwritable" mark
 * are one {@code long} changed by compare-and-set, so a reservation, its refusal and the
 * writability it changes are seen together (as under a lock), and the loop thread never waits
 * for a sender. The datagrams themselves travel through a {@link ConcurrentLinkedQueue}.
 * {@code reserve}, {@code unreserve}, {@code add}, {@code isWritable}, {@code isEmpty} and
 * {@code size} are thread-safe; {@code peek} and {@code remove} are for the one consumer, the
 * loop thread.
 */
final class SendQueue {

    /** A queued datagram: a private copy of the payload and its destination. */
    record Item(ByteBuffer data, InetSocketAddress target) {
    }

    /** Outcome of {@link #reserve}. */
    enum Reservation { ACCEPTED, ACCEPTED_NOW_FULL, REFUSED }

    // The state word. Bytes and datagrams are each at most Integer.MAX_VALUE (the options'
    // bounds), so each fits in 31 bits; sums are computed in long before they are compared.
    private static final long BYTES = (1L << 31) - 1;
    private static final long UNWRITABLE = 1L << 31;
    private static final int DATAGRAMS_SHIFT = 32;
    private static final long DATAGRAMS = ((1L << 31) - 1) << DATAGRAMS_SHIFT;
    // Set whenever the queue turns (or stays) unwritable, cleared by the loop when it reports
    // it, so that a sender refused once always hears "writable again", however fast the drain was.
    private static final long WENT_UNWRITABLE = 1L << 63;

    private final Queue<Item> items = new ConcurrentLinkedQueue<>();
    private final AtomicLong state = new AtomicLong();
    private final long maxBytes;
    private final int maxDatagrams;
    private final int maxDatagram;

    SendQueue(int maxBytes, int maxDatagrams, int maxDatagram) {
        this.maxBytes = maxBytes;
        this.maxDatagrams = maxDatagrams;
        this.maxDatagram = maxDatagram;
    }

    private static long bytes(long s) {
        return s & BYTES;
    }

    private static int datagrams(long s) {
        return (int) ((s & DATAGRAMS) >>> DATAGRAMS_SHIFT);
    }

    private static long counts(long datagrams, long bytes) {
        return (datagrams << DATAGRAMS_SHIFT) | bytes;
    }

    Reservation reserve(int length) {
        while (true) {
            long s = state.get();
            int datagrams = datagrams(s);
            long bytes = bytes(s);
            if (datagrams >= maxDatagrams || bytes + length > maxBytes) {
                long refused = s | UNWRITABLE | WENT_UNWRITABLE;
                if (refused == s || state.compareAndSet(s, refused)) {
                    return Reservation.REFUSED;
                }
                continue;
            }
            datagrams++;
            bytes += length;
            boolean wasUnwritable = (s & UNWRITABLE) != 0;
            boolean nowFull = !wasUnwritable && (datagrams >= maxDatagrams || bytes + maxDatagram > maxBytes);
            long next = counts(datagrams, bytes) | (s & (UNWRITABLE | WENT_UNWRITABLE))
                    | (nowFull ? UNWRITABLE | WENT_UNWRITABLE : 0);
            if (state.compareAndSet(s, next)) {
                return nowFull ? Reservation.ACCEPTED_NOW_FULL : Reservation.ACCEPTED;
            }
        }
    }

    /** Returns reserved room that was not used after all, or that a sent datagram freed. */
    void unreserve(int length) {
        while (true) {
            long s = state.get();
            long datagrams = datagrams(s) - 1;
            long bytes = bytes(s) - length;
            long unwritable = s & UNWRITABLE;
            if (unwritable != 0 && (datagrams == 0 || (datagrams <= maxDatagrams / 2 && bytes <= maxBytes / 2
                    && bytes + maxDatagram <= maxBytes))) {
                unwritable = 0;
            }
            if (state.compareAndSet(s, counts(datagrams, bytes) | unwritable | (s & WENT_UNWRITABLE))) {
                return;
            }
        }
    }

    void add(Item item) {
        items.add(item);
    }

    Item peek() {
        return items.peek();
    }

    /** Removes the head after it was sent or failed. */
    void remove(Item head) {
        items.poll();
        unreserve(head.data().limit());
    }

    /** Drops every queued datagram (the socket is gone); returns how many there were. */
    int clear() {
        int dropped = 0;
        Item item;
        while ((item = items.poll()) != null) {
            unreserve(item.data().limit());
            dropped++;
        }
        return dropped;
    }

    /** Whether nothing is reserved or queued. */
    boolean isEmpty() {
        return (state.get() & DATAGRAMS) == 0;
    }

    int size() {
        return datagrams(state.get());
    }

    /** Whether the queue went unwritable since the last call. */
    boolean takeWentUnwritable() {
        while (true) {
            long s = state.get();
            if ((s & WENT_UNWRITABLE) == 0) {
                return false;
            }
            if (state.compareAndSet(s, s & ~WENT_UNWRITABLE)) {
                return true;
            }
        }
    }

    boolean isWritable() {
        return (state.get() & UNWRITABLE) == 0;
    }
}
