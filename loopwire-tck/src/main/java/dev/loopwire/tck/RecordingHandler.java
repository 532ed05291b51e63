// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static dev.loopwire.tck.Waits.SECONDS_BOUND;

import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler that records what it is told, and counts callbacks that came off the loop thread or
 * for another endpoint than the one it was opened for.
 */
class RecordingHandler implements DatagramHandler {

    record Received(byte[] bytes, InetSocketAddress sender) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    final LinkedBlockingQueue<Received> datagrams = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    final List<Boolean> writability = new CopyOnWriteArrayList<>();
    final CompletableFuture<DatagramEndpoint> opened = new CompletableFuture<>();
    final CompletableFuture<Boolean> closed = new CompletableFuture<>();
    /** How many times {@code onClose} ran; the contract says once. */
    final AtomicInteger closes = new AtomicInteger();
    /** Callbacks off the loop thread, or with an endpoint other than the one opened. */
    final AtomicInteger misdirected = new AtomicInteger();

    private void check(DatagramEndpoint endpoint) {
        DatagramEndpoint first = opened.getNow(null);
        if (endpoint == null || !endpoint.loop().inLoop() || (first != null && first != endpoint)) {
            misdirected.incrementAndGet();
        }
    }

    @Override
    public void onOpen(DatagramEndpoint endpoint) {
        check(endpoint);
        opened.complete(endpoint);
    }

    @Override
    public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        check(endpoint);
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        datagrams.add(new Received(bytes, sender));
    }

    @Override
    public void onError(DatagramEndpoint endpoint, Throwable error) {
        check(endpoint);
        errors.add(error);
    }

    @Override
    public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
        check(endpoint);
        writability.add(writable);
    }

    @Override
    public void onClose(DatagramEndpoint endpoint) {
        check(endpoint);
        closes.incrementAndGet();
        closed.complete(endpoint.loop().inLoop());
    }

    /** The next datagram, waiting at most ten seconds; {@code null} if none came. */
    Received poll() throws InterruptedException {
        return datagrams.poll(SECONDS_BOUND, TimeUnit.SECONDS);
    }

    /** The next datagram's text, waiting at most ten seconds; {@code null} if none came. */
    String next() throws InterruptedException {
        Received r = poll();
        return r == null ? null : r.text();
    }

    /** The next error, waiting at most ten seconds; {@code null} if none came. */
    Throwable nextError() throws InterruptedException {
        return errors.poll(SECONDS_BOUND, TimeUnit.SECONDS);
    }

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
