package dev.loopwire.loop.iocp;

import dev.loopwire.loop.CompletionPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/** A listener that records what it is told, for tests. */
class Recorder implements CompletionPort.DatagramListener {

    final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    final List<InetSocketAddress> senders = new CopyOnWriteArrayList<>();
    final LinkedBlockingQueue<IOException> failures = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile int writable;
    volatile int closedCalls;

    @Override
    public void received(ByteBuffer data, InetSocketAddress sender) {
        senders.add(sender); // first: a test reads senders once it has polled received
        received.add(StandardCharsets.UTF_8.decode(data).toString());
    }

    @Override
    public void writable() {
        writable++;
    }

    @Override
    public void failed(IOException error) {
        failures.add(error);
    }

    @Override
    public void closed() {
        closedCalls++;
        closed.complete(null);
    }
}
