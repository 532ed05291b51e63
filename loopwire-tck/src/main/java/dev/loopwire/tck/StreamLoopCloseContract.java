// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What closing a loop does to the TCP connections and listeners still open on it (the loop close
 * hook): connections flush what they accepted and close, a listener closes, a connect still
 * pending fails naming the loop; {@code onClose} runs once each; every descriptor is released.
 */
public abstract class StreamLoopCloseContract extends StreamReadingContract {

    /** For subclasses. */
    protected StreamLoopCloseContract() {
    }

    @Test
    void closingTheLoopUnderOpenConnectionsFlushesThemAndCallsOnCloseOnce() throws Exception {
        // The first round warms up what the JDK opens lazily (and must pass too); the second
        // compares descriptors with what was open before its loop.
        loopClosesUnder(false);
        loopClosesUnder(true);
    }

    private void loopClosesUnder(boolean countFds) throws Exception {
        long fdsBefore = countFds ? openFds() : 0;
        EventLoop subject = openLoop();
        StreamRecorder accepted = new StreamRecorder();
        AtomicInteger acceptedCount = new AtomicInteger();
        TcpListener listener = await(Tcp.listen(V4, () -> {
            acceptedCount.incrementAndGet();
            return accepted;
        }, TcpOptions.defaults(), subject));
        StreamRecorder client = new StreamRecorder();
        TcpConnection echoClient = await(Tcp.connect(listener.localAddress(), client, subject));
        accepted.opened.get(20, SECONDS);

        byte[] sent = pattern(4 << 20, 17);
        StreamRecorder writer = new StreamRecorder();
        CompletableFuture<byte[]> delivered = new CompletableFuture<>();
        CountDownLatch startReading = new CountDownLatch(1);
        List<SocketChannel> fillers = new ArrayList<>();
        try (ServerSocket sink = new ServerSocket(); ServerSocketChannel full = ServerSocketChannel.open()) {
            sink.setReceiveBufferSize(16 << 10);
            sink.bind(V4);
            TcpConnection w = await(Tcp.connect((InetSocketAddress) sink.getLocalSocketAddress(), writer,
                    TcpOptions.builder().sendBufferSize(16 << 10).build(), subject));
            Socket peer = sink.accept();
            Thread reader = new Thread(() -> {
                try (Socket p = peer; InputStream in = p.getInputStream()) {
                    startReading.await();
                    delivered.complete(in.readAllBytes());
                } catch (Throwable t) {
                    delivered.completeExceptionally(t);
                }
            }, "slow-peer");
            reader.start();
            assertThat(w.write(ByteBuffer.wrap(sent)), is(true));
            assertThat("the write must still be queued when the loop closes", w.queuedBytes(), greaterThan(0L));

            // A connect that stays pending: the listener's backlog is full, Linux drops the SYN.
            full.bind(V4, 1);
            for (int i = 0; i < 8; i++) {
                SocketChannel f = SocketChannel.open();
                f.configureBlocking(false);
                f.connect(full.getLocalAddress());
                fillers.add(f);
            }
            StreamRecorder never = new StreamRecorder();
            CompletionStage<TcpConnection> pending = Tcp.connect(full.getLocalAddress(), never,
                    TcpOptions.builder().connectTimeout(java.time.Duration.ZERO).build(), subject);

            startReading.countDown();
            subject.close();

            Throwable connectError = failure(pending);
            assertThat(connectError, instanceOf(ConnectException.class));
            assertThat(connectError.getMessage(), containsString("'" + subject.name() + "'"));
            assertThat(never.closes.get(), is(0));

            byte[] got = delivered.get(20, SECONDS);
            assertThat(got.length, is(sent.length));
            assertThat(Arrays.equals(got, sent), is(true));
            assertThat(writer.closes.get(), is(1));
            assertThat(client.closes.get(), is(1));
            assertThat(accepted.closes.get(), is(1));
            assertThat(acceptedCount.get(), is(1));
            assertThat(listener.isClosed(), is(true));
            assertThat(listener.close().toCompletableFuture().isDone(), is(true));
            assertThat(echoClient.close().toCompletableFuture().isDone(), is(true));
            assertThat(w.close().toCompletableFuture().isDone(), is(true));
            reader.join(20_000);
        } finally {
            for (SocketChannel f : fillers) {
                f.close();
            }
        }
        if (countFds) {
            assertThat("descriptors after the loop closed", openFds(), is(fdsBefore));
        }
    }

    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the directory stream's own descriptor
        }
    }
}
