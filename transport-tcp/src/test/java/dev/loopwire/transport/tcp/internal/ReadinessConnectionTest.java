// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpOptions;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What the readiness provider promises about its registration: write interest only while a write is partial. */
class ReadinessConnectionTest {

    private static int interest(EventLoop loop, TcpConnection c) throws Exception {
        return CompletableFuture.supplyAsync(() -> ((ReadinessConnection) c).registeredInterest(), loop).get(10, SECONDS);
    }

    @Test
    void writeInterestIsOnOnlyWhileAWriteIsPartial() throws Exception {
        try (EventLoop loop = EventLoops.open("selector"); ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(16 << 10);
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            StreamHandler quiet = (c, data) -> { };
            TcpConnection c = Tcp.connect(server.getLocalSocketAddress(), quiet,
                    TcpOptions.builder().sendBufferSize(16 << 10).build(), loop).toCompletableFuture().get(10, SECONDS);
            try (Socket peer = server.accept()) {
                assertThat(interest(loop, c), is(SelectionKey.OP_READ));
                // More than the socket buffers take: the rest waits for OP_WRITE.
                CompletableFuture.runAsync(() -> c.write(ByteBuffer.allocate(4 << 20)), loop).get(10, SECONDS);
                assertThat(c.queuedBytes() > 0, is(true));
                assertThat(interest(loop, c), is(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
                peer.setSoTimeout(10_000);
                assertThat(peer.getInputStream().readNBytes(4 << 20).length, is(4 << 20));
                long deadline = System.nanoTime() + SECONDS.toNanos(10);
                while (c.queuedBytes() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                assertThat(c.queuedBytes(), is(0L));
                assertThat(interest(loop, c), is(SelectionKey.OP_READ));
                c.pauseReading();
                assertThat(interest(loop, c), is(0));
                c.close().toCompletableFuture().get(10, SECONDS);
            }
        }
    }
}
