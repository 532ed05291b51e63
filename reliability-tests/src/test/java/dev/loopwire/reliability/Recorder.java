// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Keeps a copy of every datagram and error an endpoint reports, for the test thread to read. */
class Recorder implements DatagramHandler {

    final BlockingQueue<byte[]> datagrams = new LinkedBlockingQueue<>();
    final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    final AtomicInteger received = new AtomicInteger();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile DatagramEndpoint endpoint;

    @Override
    public void onOpen(DatagramEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        received.incrementAndGet();
        datagrams.add(copy);
    }

    @Override
    public void onError(DatagramEndpoint endpoint, Throwable error) {
        errors.add(error);
    }

    @Override
    public void onClose(DatagramEndpoint endpoint) {
        closed.countDown();
    }
}
