package dev.loopwire.loop.iocp;

import dev.loopwire.loop.CompletionPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A loopback echo on one loop: a server socket that sends every datagram back to its sender,
 * and a client that keeps {@code window} datagrams in flight until {@code total} have come back,
 * checking each payload. Runs entirely on the loop thread.
 */
final class Echo {

    final CompletableFuture<Echo> done = new CompletableFuture<>();
    final int total;
    final int window;
    long sent;
    long received;
    long serverEchoed;
    long serverRefused;
    long bad;
    long warmAt = Long.MAX_VALUE;
    long allocatedAtWarm = -1;
    long allocatedAtEnd = -1;
    CompletionPort.Datagram server;
    CompletionPort.Datagram client;
    private final ByteBuffer out = ByteBuffer.allocateDirect(32);
    private InetSocketAddress serverAddress;

    Echo(int total, int window) {
        this.total = total;
        this.window = window;
    }

    /** Opens both sockets and starts; call on the loop thread. */
    void start(CompletionPort port, ProtocolFamily family, InetSocketAddress bindTo) throws IOException {
        server = port.openDatagram(family, new Listener() {
            @Override
            public void received(ByteBuffer data, InetSocketAddress sender) {
                if (server.send(data, sender)) {
                    serverEchoed++;
                } else {
                    serverRefused++;
                }
            }
        });
        server.bind(bindTo);
        serverAddress = server.localAddress();
        server.startReceiving(2048);
        client = port.openDatagram(family, new Listener() {
            @Override
            public void received(ByteBuffer data, InetSocketAddress sender) {
                if (data.remaining() != 32 || data.getLong(0) * 31 != data.getLong(8) || data.getLong(16) != 7) {
                    bad++;
                }
                received++;
                if (received == warmAt) {
                    allocatedAtWarm = Allocation.ofCurrentThread();
                }
                if (received == total) {
                    allocatedAtEnd = Allocation.ofCurrentThread();
                    done.complete(Echo.this);
                } else {
                    sendNext();
                }
            }

            @Override
            public void writable() {
                sendNext();
            }
        });
        client.bind(new InetSocketAddress(bindTo.getAddress(), 0));
        client.startReceiving(2048);
        for (int i = 0; i < window; i++) {
            sendNext();
        }
    }

    private void sendNext() {
        if (sent >= total) {
            return;
        }
        out.clear();
        out.putLong(0, sent).putLong(8, sent * 31).putLong(16, 7).putLong(24, 0);
        if (client.send(out, serverAddress)) {
            sent++;
        }
    }

    private class Listener implements CompletionPort.DatagramListener {
        @Override
        public void received(ByteBuffer data, InetSocketAddress sender) {
        }

        @Override
        public void writable() {
        }

        @Override
        public void failed(IOException error) {
            done.completeExceptionally(error);
        }

        @Override
        public void closed() {
        }
    }
}
