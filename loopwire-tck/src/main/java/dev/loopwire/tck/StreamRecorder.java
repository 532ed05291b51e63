// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A handler that records what it is told, and on which thread, for tests. */
class StreamRecorder implements StreamHandler {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    final List<Boolean> writability = new CopyOnWriteArrayList<>();
    final List<String> offLoop = new CopyOnWriteArrayList<>();
    final CompletableFuture<TcpConnection> opened = new CompletableFuture<>();
    final CompletableFuture<Boolean> endOfInput = new CompletableFuture<>();
    final CompletableFuture<Boolean> closed = new CompletableFuture<>();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicInteger dataCalls = new AtomicInteger();
    volatile boolean stayHalfOpen;

    private void onLoop(TcpConnection c, String callback) {
        if (!c.loop().inLoop()) {
            offLoop.add(callback + " on " + Thread.currentThread().getName());
        }
    }

    @Override
    public void onOpen(TcpConnection connection) {
        onLoop(connection, "onOpen");
        opened.complete(connection);
    }

    @Override
    public void onData(TcpConnection connection, ByteBuffer data) {
        onLoop(connection, "onData");
        dataCalls.incrementAndGet();
        synchronized (this) {
            while (data.hasRemaining()) {
                bytes.write(data.get());
            }
            notifyAll();
        }
    }

    @Override
    public boolean onEndOfInput(TcpConnection connection) {
        onLoop(connection, "onEndOfInput");
        endOfInput.complete(true);
        return stayHalfOpen;
    }

    @Override
    public void onWritabilityChanged(TcpConnection connection, boolean writable) {
        onLoop(connection, "onWritabilityChanged");
        writability.add(writable);
    }

    @Override
    public void onError(TcpConnection connection, Throwable error) {
        onLoop(connection, "onError");
        errors.add(error);
    }

    @Override
    public void onClose(TcpConnection connection) {
        onLoop(connection, "onClose");
        closes.incrementAndGet();
        closed.complete(true);
    }

    synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /** Waits (at most 10 s) until at least {@code n} bytes arrived; returns them. */
    synchronized byte[] awaitBytes(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bytes.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return bytes.toByteArray();
    }

    String awaitText(int n) throws InterruptedException {
        return new String(awaitBytes(n), StandardCharsets.UTF_8);
    }

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
