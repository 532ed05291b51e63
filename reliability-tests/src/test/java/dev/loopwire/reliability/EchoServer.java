// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Sends every datagram back to its sender. A send the endpoint refuses (queue full) is not
 * dropped: it is copied, counted in {@link #refusals}, and retried when the endpoint reports it
 * is writable again. Errors are kept in {@link #errors}. Loop thread only, apart from reading.
 */
final class EchoServer implements DatagramHandler {

    final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final Queue<Pending> pending = new ArrayDeque<>();
    volatile long echoed;
    volatile long refusals;

    private record Pending(ByteBuffer data, InetSocketAddress to) {
    }

    @Override
    public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        if (!pending.isEmpty() || !endpoint.send(data, sender)) {
            if (pending.isEmpty()) {
                refusals++;
            }
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            pending.add(new Pending(copy, sender));
            return;
        }
        echoed++;
    }

    @Override
    public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
        while (writable && !pending.isEmpty()) {
            Pending p = pending.peek();
            if (!endpoint.send(p.data(), p.to())) {
                refusals++;
                return;
            }
            pending.remove();
            echoed++;
        }
    }

    @Override
    public void onError(DatagramEndpoint endpoint, Throwable error) {
        errors.add(error);
    }
}
