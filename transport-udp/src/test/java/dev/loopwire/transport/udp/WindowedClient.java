// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * An echo client that keeps at most {@code window} datagrams in flight: one new datagram per
 * reply, none resent, so a single lost datagram stalls it (and a test into its timeout). Each
 * datagram carries its sequence number in its first 8 bytes; the replies' numbers are summed.
 * Loop thread only, after {@link #start()} runs there.
 */
final class WindowedClient implements DatagramHandler {

    final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final InetSocketAddress echo;
    private final int total;
    private final int window;
    private final ByteBuffer out;
    private DatagramEndpoint self;
    private int sent;
    private int received;
    volatile long checksum;

    /** @param size the payload size, at least 8 */
    WindowedClient(InetSocketAddress echo, int total, int window, int size) {
        this.echo = echo;
        this.total = total;
        this.window = window;
        this.out = ByteBuffer.allocateDirect(size);
    }

    @Override
    public void onOpen(DatagramEndpoint endpoint) {
        self = endpoint;
    }

    void start() {
        for (int i = 0; i < window; i++) {
            sendNext();
        }
    }

    @Override
    public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        checksum += data.getLong();
        if (++received == total) {
            done.complete(received);
        } else if (sent < total) {
            sendNext();
        }
    }

    private void sendNext() {
        out.clear().putLong(0, sent++);
        if (!self.send(out, echo)) {
            done.completeExceptionally(new AssertionError("send queue full after " + sent + " datagrams"));
        }
    }

    @Override
    public void onError(DatagramEndpoint endpoint, Throwable error) {
        done.completeExceptionally(error);
    }
}
