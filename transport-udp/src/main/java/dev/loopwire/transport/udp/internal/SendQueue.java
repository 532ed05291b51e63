// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The bounded queue of datagrams waiting for the socket, bounded in datagrams and in payload
 * bytes.
 *
 * <p>A sender {@linkplain #reserve reserves} room first, then {@linkplain #add adds} its copy;
 * the loop thread {@linkplain #peek peeks}, sends and {@linkplain #remove removes}. Writability
 * has hysteresis: the queue turns unwritable when it has no room left for a datagram of the
 * maximum size, and writable again when it has drained to half of both bounds (or is empty).
 *
 * <p><b>Concurrency.</b> {@code reserve}, {@code add}, {@code isWritable} and {@code size} are
 * thread-safe; {@code peek} and {@code remove} are for the one consumer, the loop thread.
 */
final class SendQueue {

    /** A queued datagram: a private copy of the payload and its destination. */
    record Item(ByteBuffer data, InetSocketAddress target) {
    }

    /** Outcome of {@link #reserve}. */
    enum Reservation { ACCEPTED, ACCEPTED_NOW_FULL, REFUSED }

    private final Queue<Item> items = new ConcurrentLinkedQueue<>();
    // Bytes in long: with sendQueueBytes near Integer.MAX_VALUE, bytes + length would wrap.
    private final long maxBytes;
    private final int maxDatagrams;
    private final int maxDatagram;
    private long bytes;
    private int datagrams;
    private volatile boolean writable = true;
    // Set whenever the queue turns (or stays) unwritable, cleared by the loop when it reports it,
    // so that a sender refused once always hears "writable again", however fast the drain was.
    private boolean wentUnwritable;

    SendQueue(int maxBytes, int maxDatagrams, int maxDatagram) {
        this.maxBytes = maxBytes;
        this.maxDatagrams = maxDatagrams;
        this.maxDatagram = maxDatagram;
    }

    synchronized Reservation reserve(int length) {
        if (datagrams >= maxDatagrams || bytes + length > maxBytes) {
            writable = false;
            wentUnwritable = true;
            return Reservation.REFUSED;
        }
        datagrams++;
        bytes += length;
        if (writable && (datagrams >= maxDatagrams || bytes + maxDatagram > maxBytes)) {
            writable = false;
            wentUnwritable = true;
            return Reservation.ACCEPTED_NOW_FULL;
        }
        return Reservation.ACCEPTED;
    }

    /** Returns reserved room that was not used after all. */
    synchronized void unreserve(int length) {
        datagrams--;
        bytes -= length;
        updateWritable();
    }

    void add(Item item) {
        items.add(item);
    }

    /** Takes back an item that was added but cannot be sent; false if the consumer took it. */
    boolean takeBack(Item item) {
        if (items.remove(item)) {
            unreserve(item.data().limit());
            return true;
        }
        return false;
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
    synchronized int clear() {
        int dropped = 0;
        Item item;
        while ((item = items.poll()) != null) {
            unreserve(item.data().limit());
            dropped++;
        }
        return dropped;
    }

    /** Whether nothing is reserved or queued. */
    synchronized boolean isEmpty() {
        return datagrams == 0;
    }

    synchronized int size() {
        return datagrams;
    }

    /** Whether the queue went unwritable since the last call. */
    synchronized boolean takeWentUnwritable() {
        boolean went = wentUnwritable;
        wentUnwritable = false;
        return went;
    }

    boolean isWritable() {
        return writable;
    }

    private void updateWritable() {
        if (!writable && (datagrams == 0 || (datagrams <= maxDatagrams / 2 && bytes <= maxBytes / 2
                && bytes + maxDatagram <= maxBytes))) {
            writable = true;
        }
    }
}
