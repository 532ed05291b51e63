// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A handler that records what it is told, for tests. */
class Recorder implements DatagramHandler {

    record Received(String text, InetSocketAddress sender, boolean onLoopThread) {
    }

    final LinkedBlockingQueue<Received> datagrams = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    final List<Boolean> writability = new CopyOnWriteArrayList<>();
    final CompletableFuture<DatagramEndpoint> opened = new CompletableFuture<>();
    final CompletableFuture<Boolean> closed = new CompletableFuture<>();

    @Override
    public void onOpen(DatagramEndpoint endpoint) {
        opened.complete(endpoint);
    }

    @Override
    public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        datagrams.add(new Received(StandardCharsets.UTF_8.decode(data).toString(), sender,
                opened.getNow(null) != null && opened.getNow(null).loop().inLoop()));
    }

    @Override
    public void onError(DatagramEndpoint endpoint, Throwable error) {
        errors.add(error);
    }

    @Override
    public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
        writability.add(writable);
    }

    @Override
    public void onClose(DatagramEndpoint endpoint) {
        closed.complete(opened.getNow(null) != null && opened.getNow(null).loop().inLoop());
    }

    String next() throws InterruptedException {
        Received r = datagrams.poll(10, TimeUnit.SECONDS);
        return r == null ? null : r.text();
    }

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
