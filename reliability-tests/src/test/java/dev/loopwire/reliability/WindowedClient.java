// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Sends {@code total} numbered datagrams to an echo with at most {@code window} in flight and
 * records which came back. A refused send (queue full) is retried after the endpoint turns
 * writable and counted in {@link #refusals}; it never counts as sent. When the test sees no
 * progress for a while it calls {@link #stalled()}: what is outstanding is declared lost, so that
 * the window refills, and the final count tells whether the kernel accounts for it.
 *
 * <p>Loop thread only; the volatile counters may be read from the test thread.
 */
final class WindowedClient implements DatagramHandler {

    final CompletableFuture<Void> done = new CompletableFuture<>();
    final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final InetSocketAddress echo;
    private final int total;
    private final int window;
    private final BitSet received;
    private final BitSet declared;
    private final ByteBuffer out = ByteBuffer.allocateDirect(16);
    private DatagramEndpoint self;
    private int inFlight;
    private int floor;
    private boolean blocked;
    volatile int sent;
    volatile long echoes;
    volatile long refusals;
    volatile long duplicates;
    volatile long declaredLost;
    volatile long late;

    WindowedClient(InetSocketAddress echo, int total, int window) {
        this.echo = echo;
        this.total = total;
        this.window = window;
        this.received = new BitSet(total);
        this.declared = new BitSet(total);
    }

    @Override
    public void onOpen(DatagramEndpoint endpoint) {
        self = endpoint;
    }

    /** Starts sending; run on the loop thread. */
    void start() {
        sendMore();
    }

    private void sendMore() {
        while (!blocked && inFlight < window && sent < total) {
            out.clear().putInt(sent).putInt(~sent).putLong(0x6c6f6f7077697265L).flip();
            if (!self.send(out, echo)) {
                refusals++;
                blocked = true;
                return;
            }
            sent++;
            inFlight++;
        }
        finishIfDone();
    }

    @Override
    public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        int seq = data.getInt(data.position());
        if (data.remaining() != 16 || data.getInt(data.position() + 4) != ~seq) {
            errors.add(new AssertionError("corrupt echo of " + data.remaining() + " bytes, seq " + seq));
            return;
        }
        if (received.get(seq)) {
            duplicates++;
            return;
        }
        received.set(seq);
        echoes++;
        if (declared.get(seq)) {
            late++;
        } else {
            inFlight--;
        }
        sendMore();
    }

    @Override
    public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
        if (writable) {
            blocked = false;
            sendMore();
        }
    }

    /** Declares every outstanding datagram lost and refills the window; run on the loop thread. */
    void stalled() {
        while (floor < sent && (received.get(floor) || declared.get(floor))) {
            floor++;
        }
        for (int seq = floor; seq < sent; seq++) {
            if (!received.get(seq) && !declared.get(seq)) {
                declared.set(seq);
                declaredLost++;
            }
        }
        inFlight = 0;
        sendMore();
    }

    private void finishIfDone() {
        if (sent == total && inFlight == 0) {
            done.complete(null);
        }
    }

    @Override
    public void onError(DatagramEndpoint endpoint, Throwable error) {
        errors.add(error);
        done.completeExceptionally(error);
    }
}
