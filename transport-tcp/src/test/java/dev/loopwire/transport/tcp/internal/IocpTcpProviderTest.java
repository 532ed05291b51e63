// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.loop.completion.sim.SimulatedIocp;
import dev.loopwire.loop.completion.sim.SimulatedWinApi;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.tcp.ConnectionResetException;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TCP on IOCP between two loopwire connections, on a completion loop over the simulated port
 * (whose loopback stream stack has a bounded receive window, FIN and reset): what the kit's
 * StreamContract checks against a plain JDK peer, which the simulator cannot reach.
 */
class IocpTcpProviderTest {

    private static final InetSocketAddress V4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final SimulatedWinApi api = new SimulatedWinApi();
    private final List<Throwable> loopErrors = new CopyOnWriteArrayList<>();
    private final CompletionLoop loop = SimulatedIocp.open(CompletionLoop.builder().exceptionHandler(loopErrors::add), api);

    @AfterEach
    void closeLoop() throws Exception {
        loop.close();
        assertThat(loop.awaitTermination(10, SECONDS), is(true));
        assertThat(loopErrors, is(empty()));
    }

    @Test
    void providerDescribesItselfAndIsResolvedOnAnIocpLoop() {
        IocpTcpProvider provider = new IocpTcpProvider();
        assertThat(provider.key(), is(Tcp.OPEN));
        assertThat(provider.requires(), is(Set.of(IocpPort.class)));
        assertThat(Transports.resolve(loop, Tcp.OPEN), hasToString(startsWith("IocpTcpOpener[")));
    }

    @Test
    void anEchoRoundTripWithTheAddressesOfBothEnds() throws Exception {
        TcpListener listener = listen(Echo::new);
        Collector client = new Collector();
        TcpConnection c = await(Tcp.connect(listener.localAddress(), client, TcpOptions.defaults(), loop));
        assertThat(c.localAddress().getAddress(), is(InetAddress.getLoopbackAddress()));
        assertThat(c.remoteAddress(), is(listener.localAddress()));
        c.write(text("hello"));
        client.awaitBytes(5);
        assertThat(client.text(), is("hello"));
        await(c.close());
        await(listener.close());
        assertThat(client.closes.get(), is(1));
        assertThat(client.errors, is(empty()));
        // The accepted side closes on the client's FIN, after the client's own close completed.
        assertThat(socketsLeftAfterClosesSettle(), is(0));
    }

    @Test
    void sixteenMebibytesArriveIntactThroughTheBoundedWindow() throws Exception {
        Collector server = new Collector();
        TcpListener listener = listen(() -> server);
        byte[] data = new byte[16 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 16));
        }
        Pump pump = new Pump(data);
        TcpConnection c = await(Tcp.connect(listener.localAddress(), pump, TcpOptions.defaults(), loop));
        assertThat(server.ended.get(20, SECONDS), is(true));
        assertThat(Arrays.equals(server.bytes(), data), is(true));
        await(c.close());
        await(listener.close());
        assertThat(pump.refused.get(), is(0));
        assertThat(server.errors, is(empty()));
    }

    @Test
    void halfCloseEachWayDeliversWhatFollowsTheFin() throws Exception {
        Collector server = new Collector() {
            @Override
            public boolean onEndOfInput(TcpConnection connection) {
                super.onEndOfInput(connection);
                connection.write(IocpTcpProviderTest.text("pong")); // after the client's FIN: still delivered
                connection.shutdownOutput();
                return true;
            }
        };
        TcpListener listener = listen(() -> server);
        Collector client = new Collector();
        TcpConnection c = await(Tcp.connect(listener.localAddress(), client, TcpOptions.defaults(), loop));
        c.write(text("ping"));
        await(c.shutdownOutput());
        assertThat(server.ended.get(10, SECONDS), is(true));
        assertThat(server.text(), is("ping"));
        assertThat(client.ended.get(10, SECONDS), is(true));
        assertThat(client.text(), is("pong"));
        await(c.close());
        await(listener.close());
    }

    @Test
    void anAbortIsATypedResetForThePeerThenOneClose() throws Exception {
        Collector server = new Collector();
        TcpListener listener = listen(() -> server);
        TcpConnection c = await(Tcp.connect(listener.localAddress(), new Collector(), TcpOptions.defaults(), loop));
        c.write(text("x"));
        server.awaitBytes(1);
        await(c.abort());
        assertThat(server.closed.get(10, SECONDS), is(true));
        assertThat(server.errors.size(), is(1));
        assertThat(server.errors.get(0), is(instanceOf(ConnectionResetException.class)));
        assertThat(server.closes.get(), is(1));
        await(listener.close());
    }

    @Test
    void closeWithWritesPendingDeliversThemAll() throws Exception {
        Collector server = new Collector();
        TcpListener listener = listen(() -> server);
        TcpConnection c = await(Tcp.connect(listener.localAddress(), new Collector(), TcpOptions.defaults(), loop));
        byte[] data = new byte[1 << 20];
        Arrays.fill(data, (byte) 7);
        CompletableFuture<Boolean> written = new CompletableFuture<>();
        loop.execute(() -> {
            written.complete(c.write(ByteBuffer.wrap(data)));
            c.close(); // in the same turn: nothing of it has left yet
        });
        assertThat(written.get(10, SECONDS), is(true));
        assertThat(server.ended.get(20, SECONDS), is(true));
        assertThat(server.bytes().length, is(data.length));
        await(listener.close());
    }

    @Test
    void pausedReadingDeliversNothingUntilResumed() throws Exception {
        CompletableFuture<TcpConnection> accepted = new CompletableFuture<>();
        Collector server = new Collector() {
            @Override
            public void onOpen(TcpConnection connection) {
                connection.pauseReading();
                accepted.complete(connection);
            }
        };
        TcpListener listener = listen(() -> server);
        TcpConnection c = await(Tcp.connect(listener.localAddress(), new Collector(), TcpOptions.defaults(), loop));
        c.write(text("abc"));
        TcpConnection s = accepted.get(10, SECONDS);
        MILLISECONDS.sleep(200); // a check that nothing arrives: bounded
        assertThat(server.bytes().length, is(0));
        s.resumeReading();
        server.awaitBytes(3);
        assertThat(server.text(), is("abc"));
        await(c.close());
        await(listener.close());
    }

    private TcpListener listen(Supplier<? extends StreamHandler> handlers) throws Exception {
        return await(Tcp.listen(V4, handlers, TcpOptions.defaults(), loop));
    }

    /** Sockets still open once they stop closing: the count reaches 0, or what is left after 10 s. */
    private int socketsLeftAfterClosesSettle() throws Exception {
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        int n = socketsLeft();
        while (n != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
            n = socketsLeft();
        }
        return n;
    }

    private int socketsLeft() throws Exception {
        CompletableFuture<Integer> n = new CompletableFuture<>();
        loop.execute(() -> n.complete(api.sockets.size()));
        return n.get(10, SECONDS);
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, SECONDS);
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes back what it reads. */
    private static final class Echo implements StreamHandler {
        @Override
        public void onData(TcpConnection connection, ByteBuffer data) {
            connection.write(data);
        }
    }

    /** Writes {@code data} as fast as the connection takes it, then sends its FIN. */
    private static final class Pump implements StreamHandler {
        final byte[] data;
        final AtomicInteger refused = new AtomicInteger();
        int at;

        Pump(byte[] data) {
            this.data = data;
        }

        @Override
        public void onOpen(TcpConnection connection) {
            pump(connection);
        }

        @Override
        public void onWritabilityChanged(TcpConnection connection, boolean writable) {
            if (writable) {
                pump(connection);
            }
        }

        private void pump(TcpConnection connection) {
            while (at < data.length && connection.isWritable()) {
                int n = Math.min(64 << 10, data.length - at);
                if (!connection.write(ByteBuffer.wrap(data, at, n))) {
                    refused.incrementAndGet();
                    return;
                }
                at += n;
            }
            if (at == data.length && !connection.isOutputShutdown()) {
                connection.shutdownOutput();
            }
        }

        @Override
        public void onData(TcpConnection connection, ByteBuffer data) {
        }
    }

    /** Collects what it reads; records the end of input, errors and closes. */
    private static class Collector implements StreamHandler {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final CompletableFuture<Boolean> ended = new CompletableFuture<>();
        final CompletableFuture<Boolean> closed = new CompletableFuture<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public void onData(TcpConnection connection, ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (received) {
                received.write(b, 0, b.length);
                received.notifyAll();
            }
        }

        @Override
        public boolean onEndOfInput(TcpConnection connection) {
            ended.complete(true);
            return false;
        }

        @Override
        public void onError(TcpConnection connection, Throwable error) {
            errors.add(error);
        }

        @Override
        public void onClose(TcpConnection connection) {
            closes.incrementAndGet();
            closed.complete(true);
        }

        byte[] bytes() {
            synchronized (received) {
                return received.toByteArray();
            }
        }

        String text() {
            return new String(bytes(), StandardCharsets.US_ASCII);
        }

        void awaitBytes(int n) throws InterruptedException {
            long deadline = System.nanoTime() + SECONDS.toNanos(10);
            synchronized (received) {
                while (received.size() < n && System.nanoTime() < deadline) {
                    received.wait(100);
                }
            }
        }
    }
}
