// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Records what a TCP connection reports; can throw from one named callback. */
class AttackTcpRecorder implements StreamHandler {

    final CompletableFuture<TcpConnection> opened = new CompletableFuture<>();
    final AtomicLong bytes = new AtomicLong();
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<Boolean> writability = new CopyOnWriteArrayList<>();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicInteger endOfInput = new AtomicInteger();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile String throwFrom = "";
    volatile Throwable toThrow;
    volatile boolean pauseOnOpen;

    AttackTcpRecorder() {
    }

    AttackTcpRecorder(String throwFrom, Throwable toThrow) {
        this.throwFrom = throwFrom;
        this.toThrow = toThrow;
    }

    private void maybeThrow(String where) {
        if (throwFrom.equals(where)) {
            AttackLoopTest.sneaky(toThrow);
        }
    }

    @Override
    public void onOpen(TcpConnection c) {
        if (pauseOnOpen) {
            c.pauseReading();
        }
        opened.complete(c);
        maybeThrow("onOpen");
    }

    @Override
    public void onData(TcpConnection c, ByteBuffer d) {
        bytes.addAndGet(d.remaining());
        synchronized (data) {
            if (data.size() < (1 << 20)) {
                byte[] b = new byte[d.remaining()];
                d.duplicate().get(b);
                data.write(b, 0, b.length);
            }
        }
        maybeThrow("onData");
    }

    @Override
    public boolean onEndOfInput(TcpConnection c) {
        endOfInput.incrementAndGet();
        maybeThrow("onEndOfInput");
        return false;
    }

    @Override
    public void onWritabilityChanged(TcpConnection c, boolean writable) {
        writability.add(writable);
        maybeThrow("onWritabilityChanged");
    }

    @Override
    public void onError(TcpConnection c, Throwable error) {
        errors.add(error);
        maybeThrow("onError");
    }

    @Override
    public void onClose(TcpConnection c) {
        closes.incrementAndGet();
        closed.complete(null);
        maybeThrow("onClose");
    }

    byte[] received() {
        synchronized (data) {
            return data.toByteArray();
        }
    }
}
