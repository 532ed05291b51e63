// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The handlers {@link TcpEchoBenchmark} drives: an echo server that respects back-pressure, a
 * request/response client and a bulk client. Each client runs a batch on its loop thread and
 * raises a volatile flag when done; nothing here allocates per message.
 */
final class TcpBenchClients {

    private TcpBenchClients() {
    }

    /** A batch run on the client loop: {@link #run()} starts it there, {@link #done()} polls it. */
    abstract static class Batch implements StreamHandler, Runnable {
        volatile boolean done;

        boolean done() {
            return done;
        }
    }

    /** Writes back what it reads; stops reading while unwritable, so a write is never refused. */
    static final class Echo implements StreamHandler {
        @Override
        public void onData(TcpConnection c, ByteBuffer data) {
            if (!c.write(data)) {
                throw new IllegalStateException("echo write refused");
            }
            if (!c.isWritable()) {
                c.pauseReading();
            }
        }

        @Override
        public void onWritabilityChanged(TcpConnection c, boolean writable) {
            if (writable) {
                c.resumeReading();
            }
        }
    }

    /**
     * Each connection keeps one message in flight; a batch ends after {@code echoes} answers over
     * all connections. Per-connection byte counts live in an array indexed by the connection's
     * order, found by identity (no map, no boxing).
     */
    static final class RequestResponse extends Batch {
        private final ByteBuffer message;
        private final int size;
        private TcpConnection[] connections = new TcpConnection[0];
        private int[] received = new int[0];
        private int toSend;
        private int toReceive;

        RequestResponse(int connections, int size) {
            this.size = size;
            this.message = ByteBuffer.allocateDirect(size);
        }

        void connections(List<TcpConnection> open) {
            connections = open.toArray(new TcpConnection[0]);
            received = new int[connections.length];
        }

        void start(int echoes) {
            toSend = echoes;
            toReceive = echoes;
            done = false;
        }

        @Override
        public void run() {
            for (int i = 0; i < connections.length && toSend > 0; i++) {
                send(i);
            }
        }

        private void send(int i) {
            toSend--;
                connections[i].write(message.clear());
        }

        @Override
        public void onData(TcpConnection c, ByteBuffer data) {
            int i = indexOf(c);
            received[i] += data.remaining();
            while (received[i] >= size) {
                received[i] -= size;
                if (--toReceive == 0) {
                    done = true;
                } else if (toSend > 0) {
                    send(i);
                }
            }
        }

        private int indexOf(TcpConnection c) {
            for (int i = 0; i < connections.length; i++) {
                if (connections[i] == c) {
                    return i;
                }
            }
            throw new IllegalStateException("unknown connection " + c);
        }
    }

    /** Writes {@code total} bytes in chunks as fast as writability allows; done when all came back. */
    static final class Bulk extends Batch {
        private final ByteBuffer chunk;
        private TcpConnection connection;
        private long toSend;
        private long toReceive;

        Bulk(int chunkSize) {
            chunk = ByteBuffer.allocateDirect(chunkSize);
        }

        void start(long total) {
            toSend = total;
            toReceive = total;
            done = false;
        }

        @Override
        public void onOpen(TcpConnection c) {
            connection = c;
        }

        @Override
        public void run() {
            pump();
        }

        private void pump() {
            while (toSend > 0 && connection.isWritable()) {
                connection.write(chunk.clear());
                toSend -= chunk.capacity();
            }
        }

        @Override
        public void onWritabilityChanged(TcpConnection c, boolean writable) {
            if (writable) {
                pump();
            }
        }

        @Override
        public void onData(TcpConnection c, ByteBuffer data) {
            toReceive -= data.remaining();
            if (toReceive <= 0 && !done) {
                done = true;
            }
        }
    }
}
