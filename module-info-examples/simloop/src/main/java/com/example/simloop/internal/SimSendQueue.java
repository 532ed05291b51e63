// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;

import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The bounded queue of datagrams an endpoint accepted but has not sent yet, bounded in datagrams
 * ({@link UdpOptions#sendQueueDatagrams()}) and in payload bytes
 * ({@link UdpOptions#sendQueueBytes()}).
 *
 * <p>Writability has hysteresis, as on loopwire's own endpoints: the queue turns unwritable when
 * it has no room left for a datagram of the maximum size, and writable again when it has drained
 * to half of both bounds (or is empty). It remembers that it went unwritable until the endpoint
 * has reported it, so a sender that was refused always hears "writable again", however fast the
 * queue drained.
 *
 * <p><b>Concurrency.</b> Every method is thread-safe: senders offer from any thread, the loop
 * thread polls.
 */
final class SimSendQueue {

    /** A queued datagram: a private copy of the payload, and where it goes. */
    record Item(byte[] payload, InetSocketAddress to) {
    }

    private final ArrayDeque<Item> items = new ArrayDeque<>(); // guarded by this
    private final int maxDatagrams;
    private final long maxBytes; // long: a bound near Integer.MAX_VALUE plus a datagram would wrap
    private final int maxDatagram;
    private long bytes; // guarded by this
    private volatile boolean writable = true;
    private boolean wentUnwritable; // guarded by this

    SimSendQueue(UdpOptions options) {
        this.maxDatagrams = options.sendQueueDatagrams();
        this.maxBytes = options.sendQueueBytes();
        this.maxDatagram = options.maxDatagramSize();
    }

    /**
     * Copies {@code data} (position to limit, the buffer itself untouched) into the queue.
     *
     * @return the queued item, or {@code null} if it does not fit (nothing was copied)
     */
    synchronized Item offer(ByteBuffer data, InetSocketAddress to) {
        int length = data.remaining();
        if (items.size() >= maxDatagrams || bytes + length > maxBytes) {
            writable = false;
            wentUnwritable = true;
            return null;
        }
        byte[] copy = new byte[length];
        data.duplicate().get(copy);
        Item item = new Item(copy, to);
        items.add(item);
        bytes += length;
        if (writable && (items.size() >= maxDatagrams || bytes + maxDatagram > maxBytes)) {
            writable = false;
            wentUnwritable = true;
        }
        return item;
    }

    /** Takes the head to send it, or {@code null} if the queue is empty. */
    synchronized Item poll() {
        Item head = items.poll();
        if (head != null) {
            removed(head);
        }
        return head;
    }

    /** Takes back an item its sender cannot let stand; {@code false} if the loop took it first. */
    synchronized boolean takeBack(Item item) {
        if (items.removeLastOccurrence(item)) {
            removed(item);
            return true;
        }
        return false;
    }

    /** Drops every queued datagram; returns how many there were. */
    synchronized int clear() {
        int dropped = items.size();
        while (!items.isEmpty()) {
            removed(items.poll());
        }
        return dropped;
    }

    synchronized boolean isEmpty() {
        return items.isEmpty();
    }

    synchronized int size() {
        return items.size();
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

    private void removed(Item item) {
        bytes -= item.payload().length;
        if (!writable && (items.isEmpty() || (items.size() <= maxDatagrams / 2 && bytes <= maxBytes / 2
                && bytes + maxDatagram <= maxBytes))) {
            writable = true;
        }
    }
}
