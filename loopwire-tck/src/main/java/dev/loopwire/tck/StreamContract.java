// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.tcp.ConnectionResetException;
import dev.loopwire.transport.tcp.OutputClosedException;
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
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stream contract every TCP provider keeps, on whatever loop: extend it and say how to open
 * the loop ({@link #openLoop()}). It runs the whole suite: the tests here (echo, bulk, many
 * connections, half-close, resets, connect failures, close and abort, pausing) and those it
 * inherits from {@link StreamLoopCloseContract} (closing the loop under open connections),
 * {@link StreamReadingContract} (pausing inside the data callback),
 * {@link StreamFailureContract} (what handlers throw), {@link StreamFlowContract} (water
 * marks, the hard bound, no-copy writes, buffered handlers, bad input) and
 * {@link StreamBackPressureContract} (an echo that pauses and resumes on writability against a
 * bursty reader, with the peer's FIN while paused); the chain only keeps files short. Real sockets on 127.0.0.1 and ::1 only; the peer is often a plain blocking
 * {@link Socket}, so that what is checked is what the network carried.
 *
 * <pre>{@code
 * class MyLoopStreamTest extends StreamContract {
 *     protected EventLoop openLoop() {
 *         return MyLoop.open();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> Each test opens its loop with {@link #openLoop()} and the suite closes it
 * afterwards; the loop-close test opens two more. Tests that need {@code /proc/self/fd} (Linux)
 * count descriptors there.
 *
 * <p><b>Concurrency.</b> Tests write from the test thread, the loop thread and several threads at
 * once; every wait is bounded (20 s), and the checks that something did <em>not</em> happen wait
 * 300 ms.
 */
public abstract class StreamContract extends StreamLoopCloseContract {

    /** For subclasses. */
    protected StreamContract() {
    }

    // ---- echo

    @Test
    void echoOverIpv4() throws Exception {
        echo(V4);
    }

    @Test
    void echoOverIpv6() throws Exception {
        boolean ipv6;
        try (SocketChannel probe = SocketChannel.open(java.net.StandardProtocolFamily.INET6)) {
            probe.bind(V6);
            ipv6 = true;
        } catch (IOException | UnsupportedOperationException e) {
            ipv6 = false;
        }
        assumeTrue(ipv6, "::1 cannot be bound on this machine (IPv6 disabled)");
        echo(V6);
    }

    private void echo(InetSocketAddress at) throws Exception {
        TcpListener listener = listen(at, StreamEchoHandler::new, TcpOptions.defaults());
        StreamRecorder client = new StreamRecorder();
        TcpConnection c = await(Tcp.connect(listener.localAddress(), client, loop));
        assertThat(c.remoteAddress(), is(listener.localAddress()));
        assertThat(c.localAddress().getAddress(), is(at.getAddress()));
        assertThat(c.loop(), is(loop));
        assertThat(c.getOption(java.net.StandardSocketOptions.TCP_NODELAY), is(true));
        assertThat(c.write(StreamRecorder.text("hello over " + at.getAddress().getHostAddress())), is(true));
        assertThat(client.awaitText(11 + at.getAddress().getHostAddress().length()),
                is("hello over " + at.getAddress().getHostAddress()));
        await(c.close());
        assertThat(client.closes.get(), is(1));
        assertThat(client.offLoop, is(empty()));
        await(listener.close());
    }

    // ---- bulk

    @Test
    void sixteenMebibytesOneWayArriveIntactThroughPartialWrites() throws Exception {
        byte[] sent = pattern(16 << 20, 7);
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(16 << 10);
            server.bind(V4);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(30_000);
                    return readAll(s.getInputStream());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            StreamRecorder client = new StreamRecorder() {
                int offset;

                private void pump(TcpConnection c) {
                    while (offset < sent.length && c.isWritable()) {
                        int n = Math.min(256 << 10, sent.length - offset);
                        if (!c.write(ByteBuffer.wrap(sent, offset, n))) {
                            throw new AssertionError("write refused below the hard bound");
                        }
                        offset += n;
                    }
                    if (offset == sent.length) {
                        c.shutdownOutput();
                    }
                }

                @Override
                public void onOpen(TcpConnection connection) {
                    super.onOpen(connection);
                    pump(connection);
                }

                @Override
                public void onWritabilityChanged(TcpConnection connection, boolean writable) {
                    super.onWritabilityChanged(connection, writable);
                    if (writable) {
                        pump(connection);
                    }
                }
            };
            TcpOptions small = TcpOptions.builder().sendBufferSize(16 << 10).build();
            TcpConnection c = await(Tcp.connect(server.getLocalSocketAddress(), client, small, loop));
            byte[] got = received.get(60, SECONDS);
            assertThat(got.length, is(sent.length));
            assertThat(Arrays.equals(got, sent), is(true));
            // Partial writes happened: the queue rose above the high water mark and drained again.
            assertThat(client.writability.contains(false), is(true));
            assertThat(client.writability.get(client.writability.size() - 1), is(true));
            assertThat(client.errors, is(empty()));
            await(c.close());
        }
    }

    // ---- many connections

    @Test
    void aThousandConcurrentConnectionsEachEchoAHundredMessages() throws Exception {
        int connections = 1000;
        int messages = 100;
        TcpListener listener = listen(V4, StreamEchoHandler::new, TcpOptions.builder().backlog(2048).build());
        List<StreamRecorder> clients = new ArrayList<>();
        List<TcpConnection> open = new ArrayList<>();
        List<CompletionStage<TcpConnection>> connecting = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            StreamRecorder r = new StreamRecorder();
            clients.add(r);
            connecting.add(Tcp.connect(listener.localAddress(), r, loop));
        }
        for (CompletionStage<TcpConnection> stage : connecting) {
            open.add(stage.toCompletableFuture().get(60, SECONDS));
        }
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            StringBuilder all = new StringBuilder();
            for (int m = 0; m < messages; m++) {
                String msg = String.format("c%04d-m%03d;", i, m);
                all.append(msg);
                assertThat(open.get(i).write(StreamRecorder.text(msg)), is(true));
            }
            expected.add(all.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        for (int i = 0; i < connections; i++) {
            byte[] got = clients.get(i).awaitBytes(expected.get(i).length);
            assertThat("connection " + i, new String(got, java.nio.charset.StandardCharsets.US_ASCII),
                    is(new String(expected.get(i), java.nio.charset.StandardCharsets.US_ASCII)));
        }
        for (TcpConnection c : open) {
            c.close();
        }
        for (int i = 0; i < connections; i++) {
            assertThat(clients.get(i).closed.get(20, SECONDS), is(true));
            assertThat(clients.get(i).closes.get(), is(1));
            assertThat(clients.get(i).errors, is(empty()));
        }
        await(listener.close());
    }

    // ---- half-close

    @Test
    void afterShutdownOutputThisSideStillReadsAndWritesAreRefused() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(V4);
            StreamRecorder client = new StreamRecorder();
            TcpConnection c = await(Tcp.connect(server.getLocalSocketAddress(), client, loop));
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(20_000);
                c.write(StreamRecorder.text("request"));
                await(c.shutdownOutput());
                assertThat(c.isOutputShutdown(), is(true));
                OutputClosedException refused = assertThrows(OutputClosedException.class,
                        () -> c.write(StreamRecorder.text("late")));
                assertThat(refused.getMessage(), containsString("after shutdownOutput()"));
                assertThat(new String(readAll(peer.getInputStream())), is("request"));
                peer.getOutputStream().write("reply after your FIN".getBytes());
                peer.shutdownOutput();
                assertThat(client.awaitText(20), is("reply after your FIN"));
                assertThat(client.endOfInput.get(20, SECONDS), is(true));
                // Both directions are done: the connection closes by itself.
                assertThat(client.closed.get(20, SECONDS), is(true));
                assertThat(client.closes.get(), is(1));
                assertThat(client.errors, is(empty()));
            }
        }
    }

    @Test
    void aHandlerThatStaysHalfOpenWritesAfterThePeersFin() throws Exception {
        StreamRecorder server = new StreamRecorder() {
            @Override
            public boolean onEndOfInput(TcpConnection connection) {
                super.onEndOfInput(connection);
                connection.write(StreamRecorder.text("answer:" + new String(bytes())));
                connection.shutdownOutput();
                return true;
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.defaults());
        try (Socket peer = plainClient(listener)) {
            peer.getOutputStream().write("question".getBytes());
            peer.shutdownOutput();
            assertThat(new String(readAll(peer.getInputStream())), is("answer:question"));
        }
        assertThat(server.closed.get(20, SECONDS), is(true));
        assertThat(server.closes.get(), is(1));
        await(listener.close());
    }

    @Test
    void byDefaultThePeersFinClosesTheConnectionAfterFlushing() throws Exception {
        StreamRecorder server = new StreamRecorder() {
            @Override
            public void onData(TcpConnection connection, ByteBuffer data) {
                super.onData(connection, data);
                connection.write(ByteBuffer.wrap(pattern(1 << 20, 3)));
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.defaults());
        try (Socket peer = plainClient(listener)) {
            peer.getOutputStream().write('x');
            server.awaitBytes(1);
            peer.shutdownOutput();
            byte[] got = readAll(peer.getInputStream());
            assertThat(Arrays.equals(got, pattern(1 << 20, 3)), is(true));
        }
        assertThat(server.endOfInput.get(20, SECONDS), is(true));
        assertThat(server.closed.get(20, SECONDS), is(true));
        await(listener.close());
    }

    // ---- failures of the peer and of the network

    @Test
    void aPeerResetMidStreamIsATypedErrorThenOneClose() throws Exception {
        StreamRecorder server = new StreamRecorder();
        TcpListener listener = listen(V4, () -> server, TcpOptions.defaults());
        Socket peer = plainClient(listener);
        peer.getOutputStream().write("some bytes".getBytes());
        assertThat(server.awaitText(10), is("some bytes"));
        peer.setSoLinger(true, 0);
        peer.close();
        Throwable error = server.errors.poll(20, SECONDS);
        assertThat(error, instanceOf(ConnectionResetException.class));
        assertThat(error.getMessage(), containsString("reset by the peer"));
        assertThat(server.closed.get(20, SECONDS), is(true));
        TcpConnection c = server.opened.get(1, SECONDS);
        assertThat(c.isClosed(), is(true));
        assertThrows(OutputClosedException.class, () -> c.write(StreamRecorder.text("too late")));
        await(c.close());
        assertThat(server.closes.get(), is(1));
        await(listener.close());
    }

    @Test
    void aRefusedConnectIsAConnectExceptionNamingTheAddress() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(V4);
            nobody = (InetSocketAddress) s.getLocalSocketAddress();
        }
        StreamRecorder client = new StreamRecorder();
        Throwable error = failure(Tcp.connect(nobody, client, loop));
        assertThat(error, instanceOf(ConnectException.class));
        assertThat(error.getMessage(), containsString("'127.0.0.1:" + nobody.getPort() + "'"));
        assertThat(client.opened.isDone(), is(false));
        assertThat(client.closes.get(), is(0));
    }

    @Test
    void aConnectWithNoAnswerTimesOut() throws Exception {
        // A listener that never accepts, its backlog full: Linux drops further SYNs, so a connect
        // to it stays pending on loopback until our timer ends it.
        try (java.nio.channels.ServerSocketChannel full = java.nio.channels.ServerSocketChannel.open()) {
            full.bind(V4, 1);
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    SocketChannel f = SocketChannel.open();
                    f.configureBlocking(false);
                    f.connect(full.getLocalAddress());
                    fillers.add(f);
                }
                StreamRecorder client = new StreamRecorder();
                TcpOptions quick = TcpOptions.builder().connectTimeout(Duration.ofMillis(300)).build();
                Throwable error = failure(Tcp.connect(full.getLocalAddress(), client, quick, loop));
                assertThat(error, instanceOf(SocketTimeoutException.class));
                assertThat(error.getMessage(), containsString("'" + "127.0.0.1:"
                        + ((InetSocketAddress) full.getLocalAddress()).getPort() + "' timed out after 300 ms"));
                assertThat(client.opened.isDone(), is(false));
            } finally {
                for (SocketChannel f : fillers) {
                    f.close();
                }
            }
        }
    }

    // ---- closing

    @Test
    void closeWithWritesPendingDeliversThemAll() throws Exception {
        byte[] sent = pattern(4 << 20, 11);
        StreamRecorder server = new StreamRecorder() {
            @Override
            public void onOpen(TcpConnection connection) {
                assertThat(connection.write(ByteBuffer.wrap(sent)), is(true));
                connection.close();
                super.onOpen(connection);
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.builder().sendBufferSize(16 << 10).build());
        try (Socket peer = plainClient(listener)) {
            TcpConnection c = server.opened.get(20, SECONDS);
            assertThat(c.isClosed(), is(true));
            assertThrows(OutputClosedException.class, () -> c.write(StreamRecorder.text("late")));
            byte[] got = readAll(peer.getInputStream());
            assertThat(got.length, is(sent.length));
            assertThat(Arrays.equals(got, sent), is(true));
            await(c.close());
            assertThat(server.closes.get(), is(1));
        }
        await(listener.close());
    }

    @Test
    void aGracefulCloseWhileThePeerStillSendsDeliversEverythingWithoutAReset() throws Exception {
        byte[] sent = pattern(2 << 20, 13);
        StreamRecorder server = new StreamRecorder() {
            @Override
            public void onData(TcpConnection connection, ByteBuffer data) {
                if (dataCalls.incrementAndGet() == 1) {
                    connection.write(ByteBuffer.wrap(sent));
                    connection.close();
                }
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.builder().sendBufferSize(16 << 10).build());
        try (Socket peer = plainClient(listener)) {
            // The peer keeps sending while it reads: bytes the closing side left unread would make
            // its kernel answer with a reset and destroy what it was still sending.
            Thread talker = new Thread(() -> {
                try {
                    byte[] chunk = new byte[16 << 10];
                    for (int i = 0; i < 64; i++) {
                        peer.getOutputStream().write(chunk);
                    }
                } catch (IOException expected) {
                    // The server closed; it may stop reading once it has flushed.
                }
            });
            talker.start();
            byte[] got = readAll(peer.getInputStream());
            assertThat(got.length, is(sent.length));
            assertThat(Arrays.equals(got, sent), is(true));
            talker.join(20_000);
        }
        assertThat(server.closed.get(20, SECONDS), is(true));
        await(listener.close());
    }

    @Test
    void abortDropsTheQueueAndThePeerSeesAReset() throws Exception {
        List<ByteBuffer> releasedBuffers = new java.util.concurrent.CopyOnWriteArrayList<>();
        ByteBuffer owned = ByteBuffer.allocateDirect(1 << 20);
        StreamRecorder server = new StreamRecorder() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.write(ByteBuffer.wrap(pattern(4 << 20, 5)));
                connection.writeNoCopy(owned, releasedBuffers::add);
                super.onOpen(connection);
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.builder().sendBufferSize(16 << 10).build());
        try (Socket peer = plainClient(listener)) {
            TcpConnection c = server.opened.get(20, SECONDS);
            assertThat(c.queuedBytes() > 0, is(true));
            await(c.abort());
            assertThat(server.closes.get(), is(1));
            assertThat(releasedBuffers, is(List.of(owned)));
            assertThat(c.queuedBytes(), is(0L));
            InputStream in = peer.getInputStream();
            SocketException reset = assertThrows(SocketException.class, () -> {
                byte[] chunk = new byte[64 << 10];
                long total = 0;
                while (in.read(chunk) >= 0) {
                    total += chunk.length;
                    if (total > (64L << 20)) {
                        break;
                    }
                }
            });
            assertThat(reset.getMessage(), containsString("reset"));
        }
        await(listener.close());
    }

    @Test
    void theListenersPortCanBeBoundAgainOnceItsCloseCompletes() throws Exception {
        TcpOptions strict = TcpOptions.builder().reuseAddress(false).build();
        for (int round = 0; round < 20; round++) {
            TcpListener first = listen(V4, StreamEchoHandler::new, strict);
            InetSocketAddress port = first.localAddress();
            // Bound in the very callback that completes the stage (on the loop thread, at once),
            // so that a port released a moment later would be caught.
            CompletionStage<Integer> rebound = first.close().thenApply(v -> {
                try (ServerSocket again = new ServerSocket()) {
                    again.setReuseAddress(false);
                    again.bind(port);
                    return again.getLocalPort();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(await(rebound), is(port.getPort()));
            assertThat(first.isClosed(), is(true));
            TcpListener second = listen(port, StreamEchoHandler::new, strict);
            assertThat(second.localAddress(), is(port));
            await(second.close());
        }
    }

    // ---- pausing

    @Test
    void pausedReadingDeliversNothingUntilResumed() throws Exception {
        StreamRecorder server = new StreamRecorder() {
            @Override
            public void onOpen(TcpConnection connection) {
                super.onOpen(connection);
                connection.pauseReading();
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.defaults());
        try (Socket peer = plainClient(listener)) {
            TcpConnection c = server.opened.get(20, SECONDS);
            peer.getOutputStream().write("held back".getBytes());
            // Negative check: nothing may arrive while paused (waiting longer only makes it stricter).
            Thread.sleep(300);
            assertThat(server.dataCalls.get(), is(0));
            c.resumeReading();
            assertThat(server.awaitText(9), is("held back"));
            c.pauseReading();
            await(runOnLoop(() -> null)); // the pause is applied on the loop
            peer.getOutputStream().write("second".getBytes());
            Thread.sleep(300);
            assertThat(server.text(), is("held back"));
            c.resumeReading();
            assertThat(server.awaitText(15), is("held backsecond"));
        }
        await(listener.close());
    }

    @Test
    void pausedAcceptingLeavesConnectionsInTheBacklogUntilResumed() throws Exception {
        List<StreamRecorder> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        TcpListener listener = listen(V4, () -> {
            StreamRecorder r = new StreamRecorder();
            accepted.add(r);
            return r;
        }, TcpOptions.defaults());
        listener.pauseAccepting();
        await(runOnLoop(() -> null));
        try (Socket peer = plainClient(listener)) {
            Thread.sleep(300);
            assertThat(accepted.size(), is(0));
            listener.resumeAccepting();
            long deadline = System.nanoTime() + SECONDS.toNanos(20);
            while (accepted.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(accepted.size(), is(1));
            assertThat(accepted.get(0).opened.get(20, SECONDS).remoteAddress(), is(peer.getLocalSocketAddress()));
        }
        await(listener.close());
    }

}
