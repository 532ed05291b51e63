// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.SoakTest.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.InvalidAddressException;
import dev.loopwire.transport.udp.Udp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input of the design's UDP section, and a few more, on each loop kind: each is
 * refused with a typed exception whose exact message quotes the value and the remedy, the
 * buffer is left untouched, and the endpoint still echoes afterwards. Unusual but legal input
 * (empty, read-only, heap buffers) works; {@code send} copies, so later changes to the caller's
 * buffer never reach the wire; an interrupt of the loop thread does not stop the loop.
 */
@SuppressWarnings("try") // Pair.close() may be interrupted: in a test that is a failure like any other.
class BadInputTest {

    private static final InetSocketAddress V4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** An echo and a client on one loop; {@link #roundTrip} proves the client still works. */
    private static final class Pair implements AutoCloseable {
        final EventLoop loop;
        final DatagramEndpoint echo;
        final Recorder events = new Recorder();
        final DatagramEndpoint client;

        Pair(String kind) throws Exception {
            loop = Loops.open(kind);
            echo = await(Udp.bind(V4, new EchoServer(), loop));
            client = await(Udp.bind(V4, events, loop));
        }

        void roundTrip(byte[] payload) throws Exception {
            assertThat(client.send(ByteBuffer.wrap(payload), echo.localAddress()), is(true));
            assertThat(events.datagrams.poll(10, SECONDS), is(payload));
        }

        String target() {
            return "127.0.0.1:" + echo.localAddress().getPort();
        }

        @Override
        public void close() throws Exception {
            assertThat("errors reported", events.errors.isEmpty(), is(true));
            await(client.close());
            await(echo.close());
            loop.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void aDatagramOverTheIpv4LimitIsRefusedAndTheBufferLeftAlone(String kind) throws Exception {
        try (Pair p = new Pair(kind)) {
            ByteBuffer big = ByteBuffer.allocate(65_508);
            DatagramTooLargeException e = assertThrows(DatagramTooLargeException.class,
                    () -> p.client.send(big, p.echo.localAddress()));
            assertThat(e.getMessage(), is("Datagram of '65508' bytes to '" + p.target()
                    + "' exceeds the limit of 65507 bytes (the UDP payload limit over IPv4); split the payload or send less"));
            assertThat(big.position(), is(0));
            p.roundTrip(new byte[] {1, 2, 3});
            // The limit itself is fine.
            assertThat(p.client.send(ByteBuffer.allocate(65_507), p.echo.localAddress()), is(true));
            assertThat(p.events.datagrams.poll(10, SECONDS).length, is(65_507));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void badAddressesAreRefusedWithTheValueAndTheRemedy(String kind) throws Exception {
        try (Pair p = new Pair(kind)) {
            int port = p.echo.localAddress().getPort();
            ByteBuffer data = ByteBuffer.wrap(new byte[] {9});

            InvalidAddressException unresolved = assertThrows(InvalidAddressException.class,
                    () -> p.client.send(data, InetSocketAddress.createUnresolved("localhost", port)));
            assertThat(unresolved.getMessage(), is("Destination 'localhost:" + port + "' is unresolved;"
                    + " resolve it (new InetSocketAddress(host, port) does) or use an IP literal"));

            InvalidAddressException portZero = assertThrows(InvalidAddressException.class,
                    () -> p.client.send(data, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            assertThat(portZero.getMessage(), is("Destination '127.0.0.1:0' has port '0', which UDP cannot send to;"
                    + " use a port from 1 to 65535"));

            // Ports past 65535 never reach us: the JDK refuses to build the address (transport-udp
            // decided against int port overloads for that reason).
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 65_536));
            assertThat(range.getMessage(), is("port out of range:65536"));

            SocketAddress notIp = new SocketAddress() {
                private static final long serialVersionUID = 1L;

                @Override
                public String toString() {
                    return "unix:/tmp/socket";
                }
            };
            InvalidAddressException kind2 = assertThrows(InvalidAddressException.class, () -> p.client.send(data, notIp));
            assertThat(kind2.getMessage(), is("Destination 'unix:/tmp/socket' is a " + notIp.getClass().getName()
                    + ", not an InetSocketAddress; UDP needs an IP address and a port"));

            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), port);
            InvalidAddressException family = assertThrows(InvalidAddressException.class, () -> p.client.send(data, v6));
            assertThat(family.getMessage(), is("Cannot reach IPv6 destination '[0:0:0:0:0:0:0:1]:" + port
                    + "' from an IPv4 socket bound to '127.0.0.1:" + p.client.localAddress().getPort()
                    + "'; bind an IPv6 address ('::' reaches both families) to send to IPv6 destinations"));

            NullPointerException npe = assertThrows(NullPointerException.class, () -> p.client.send(data, null));
            assertThat(npe.getMessage(), is("target"));
            npe = assertThrows(NullPointerException.class, () -> p.client.send(null, p.echo.localAddress()));
            assertThat(npe.getMessage(), is("data"));

            assertThat("the buffer was left alone", data.position(), is(0));
            p.roundTrip(new byte[] {4, 5});
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void anIpv6SocketCannotReachAnIpv4Destination(String kind) throws Exception {
        try (Pair p = new Pair(kind)) {
            Recorder events = new Recorder();
            DatagramEndpoint v6 = await(Udp.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0), events, p.loop));
            InvalidAddressException e = assertThrows(InvalidAddressException.class,
                    () -> v6.send(ByteBuffer.allocate(1), p.echo.localAddress()));
            assertThat(e.getMessage(), is("Cannot reach IPv4 destination '" + p.target() + "' from an IPv6 socket bound to"
                    + " '[0:0:0:0:0:0:0:1]:" + v6.localAddress().getPort()
                    + "'; bind '::' (dual stack) or an IPv4 address to send to IPv4 destinations"));
            // Still usable: an IPv6 echo works from it.
            DatagramEndpoint echo6 = await(Udp.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0),
                    new EchoServer(), p.loop));
            assertThat(v6.send(ByteBuffer.wrap(new byte[] {6}), echo6.localAddress()), is(true));
            assertThat(events.datagrams.poll(10, SECONDS), is(new byte[] {6}));
            await(echo6.close());
            await(v6.close());
            p.roundTrip(new byte[] {7});
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void aSendAfterCloseIsRefusedAndOtherEndpointsGoOn(String kind) throws Exception {
        try (Pair p = new Pair(kind)) {
            DatagramEndpoint doomed = await(Udp.bind(V4, new Recorder(), p.loop));
            await(doomed.close());
            EndpointClosedException e = assertThrows(EndpointClosedException.class,
                    () -> doomed.send(ByteBuffer.allocate(1), p.echo.localAddress()));
            assertThat(e.getMessage(), is("Endpoint " + doomed + " is closed; open a new one with Udp.bind"));
            assertThat(doomed.isClosed(), is(true));
            p.roundTrip(new byte[] {8});
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void unusualButLegalBuffersAreEchoedExactly(String kind) throws Exception {
        try (Pair p = new Pair(kind)) {
            // A zero-length datagram is legal UDP: it is sent and echoed as zero length.
            assertThat(p.client.send(ByteBuffer.allocate(0), p.echo.localAddress()), is(true));
            assertThat(p.events.datagrams.poll(10, SECONDS).length, is(0));

            byte[] bytes = {10, 20, 30, 40};
            ByteBuffer readOnlyHeap = ByteBuffer.wrap(bytes.clone()).asReadOnlyBuffer();
            assertThat(p.client.send(readOnlyHeap, p.echo.localAddress()), is(true));
            assertThat(readOnlyHeap.remaining(), is(0));
            assertThat(p.events.datagrams.poll(10, SECONDS), is(bytes));

            ByteBuffer readOnlyDirect = ByteBuffer.allocateDirect(4).put(bytes).flip().asReadOnlyBuffer();
            assertThat(p.client.send(readOnlyDirect, p.echo.localAddress()), is(true));
            assertThat(p.events.datagrams.poll(10, SECONDS), is(bytes));

            // A heap buffer, and a slice at an offset inside a larger array.
            byte[] backing = {99, 1, 2, 3, 99};
            ByteBuffer slice = ByteBuffer.wrap(backing, 1, 3);
            assertThat(p.client.send(slice, p.echo.localAddress()), is(true));
            assertThat(p.events.datagrams.poll(10, SECONDS), is(new byte[] {1, 2, 3}));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void sendCopiesTheBytesAtTheTimeOfTheCall(String kind) throws Exception {
        try (Pair p = new Pair(kind)) {
            // From another thread: the bytes are copied into the queue.
            for (int round = 0; round < 100; round++) {
                byte[] original = new byte[64];
                Arrays.fill(original, (byte) round);
                ByteBuffer buffer = ByteBuffer.allocateDirect(64).put(original).flip();
                assertThat(p.client.send(buffer, p.echo.localAddress()), is(true));
                buffer.clear();
                while (buffer.hasRemaining()) {
                    buffer.put((byte) -1);
                }
                assertThat(p.events.datagrams.poll(10, SECONDS), is(original));
            }
            // On the loop thread: sent at once, or copied if something is queued.
            CompletableFuture<Boolean> sent = new CompletableFuture<>();
            byte[] original = {1, 1, 1, 1};
            p.loop.execute(() -> {
                ByteBuffer buffer = ByteBuffer.wrap(original.clone());
                sent.complete(p.client.send(buffer, p.echo.localAddress()));
                Arrays.fill(buffer.array(), (byte) 2);
            });
            assertThat(sent.get(10, SECONDS), is(true));
            assertThat(p.events.datagrams.poll(10, SECONDS), is(original));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void anInterruptOfTheLoopThreadDoesNotStopTheLoop(String kind) throws Exception {
        Pair p = new Pair(kind);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        p.loop.execute(() -> {
            Thread.currentThread().interrupt();
            interrupted.complete(Thread.currentThread().isInterrupted());
        });
        assertThat(interrupted.get(10, SECONDS), is(true));
        for (int i = 0; i < 10; i++) {
            p.roundTrip(new byte[] {(byte) i});
        }
        // Interrupted again, right before close: the loop still closes cleanly and in time.
        p.loop.execute(() -> Thread.currentThread().interrupt());
        p.roundTrip(new byte[] {42});
        assertTimeoutPreemptively(Duration.ofSeconds(10), p::close);
        assertThat(p.loop.isClosed(), is(true));
    }
}
