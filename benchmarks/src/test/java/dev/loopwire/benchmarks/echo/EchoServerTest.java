// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EchoServerTest {

    private static final int DATAGRAMS = 100;

    static Stream<Arguments> servers() {
        return Stream.of(
                Arguments.of("jdk-selector", (Function<EchoOptions, EchoServer>) JdkSelectorEchoServer::new),
                Arguments.of("loopwire-selector", (Function<EchoOptions, EchoServer>) LoopwireSelectorEchoServer::new),
                Arguments.of("loopwire-completion", (Function<EchoOptions, EchoServer>) LoopwireCompletionEchoServer::new),
                Arguments.of("jdk-blocking", (Function<EchoOptions, EchoServer>) JdkBlockingEchoServer::new),
                Arguments.of("netty-nio", (Function<EchoOptions, EchoServer>) NettyNioEchoServer::new),
                Arguments.of("netty-epoll", (Function<EchoOptions, EchoServer>) NettyEpollEchoServer::new),
                Arguments.of("netty-io_uring", (Function<EchoOptions, EchoServer>) NettyIoUringEchoServer::new));
    }

    /** One at a time: every datagram comes back whole before the next goes out. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void echoesEachDatagramByteForByte(String name, Function<EchoOptions, EchoServer> factory) {
        assumeNativeTransportAvailable(name);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (EchoServer server = factory.apply(EchoOptions.loopback());
                    DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                client.setSoTimeout(5_000);
                client.connect(server.start());
                Random random = new Random(name.hashCode());
                byte[] received = new byte[4096];
                for (int i = 0; i < DATAGRAMS; i++) {
                    byte[] sent = new byte[1 + random.nextInt(1400)];
                    random.nextBytes(sent);
                    client.send(new DatagramPacket(sent, sent.length));
                    DatagramPacket echo = new DatagramPacket(received, received.length);
                    client.receive(echo);
                    assertThat("datagram " + i, Arrays.copyOf(received, echo.getLength()), is(sent));
                }
            }
        });
    }

    /** All in flight at once, so the servers' batch paths (recvmmsg, read-until-would-block) are used. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void echoesABurstWithoutLoss(String name, Function<EchoOptions, EchoServer> factory) {
        assumeNativeTransportAvailable(name);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (EchoServer server = factory.apply(EchoOptions.loopback());
                    DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                client.setSoTimeout(5_000);
                client.setReceiveBufferSize(1 << 20);
                client.connect(server.start());
                byte[][] sent = new byte[DATAGRAMS][];
                for (int i = 0; i < DATAGRAMS; i++) {
                    sent[i] = ByteBuffer.allocate(64).putInt(i).putLong(i * 31L).array();
                    client.send(new DatagramPacket(sent[i], sent[i].length));
                }
                boolean[] seen = new boolean[DATAGRAMS];
                byte[] received = new byte[4096];
                for (int n = 0; n < DATAGRAMS; n++) {
                    DatagramPacket echo = new DatagramPacket(received, received.length);
                    client.receive(echo);
                    int index = ByteBuffer.wrap(received).getInt();
                    assertThat("echo " + n + " names datagram " + index, index >= 0 && index < DATAGRAMS && !seen[index],
                            is(true));
                    seen[index] = true;
                    assertThat(Arrays.copyOf(received, echo.getLength()), is(sent[index]));
                }
            }
        });
    }

    /**
     * Many client sockets, interleaved: each burst has one datagram from every peer, and each
     * echo must reach the socket that sent it (as the C client's {@code --peers} run needs).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void echoesEachOfManyPeersToItsOwnSocket(String name, Function<EchoOptions, EchoServer> factory) {
        assumeNativeTransportAvailable(name);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int peers = 64;
            List<DatagramSocket> clients = new ArrayList<>();
            try (EchoServer server = factory.apply(EchoOptions.loopback())) {
                InetSocketAddress address = server.start();
                for (int p = 0; p < peers; p++) {
                    DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    clients.add(client);
                    client.setSoTimeout(5_000);
                    client.connect(address);
                }
                byte[] received = new byte[4096];
                for (int round = 0; round < 5; round++) {
                    for (int p = 0; p < peers; p++) {
                        byte[] sent = ByteBuffer.allocate(64).putInt(p).putInt(round).array();
                        clients.get(p).send(new DatagramPacket(sent, sent.length));
                    }
                    for (int p = 0; p < peers; p++) {
                        DatagramPacket echo = new DatagramPacket(received, received.length);
                        clients.get(p).receive(echo);
                        ByteBuffer got = ByteBuffer.wrap(received, 0, echo.getLength());
                        assertThat("round " + round + ": peer " + p + " got the echo of peer " + got.getInt(0),
                                got.getInt(0), is(p));
                        assertThat(got.getInt(4), is(round));
                    }
                }
            } finally {
                for (DatagramSocket client : clients) {
                    client.close();
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aPortInUseFailsStartWithIOExceptionAndCloseStillWorks(String name, Function<EchoOptions, EchoServer> factory) {
        assumeNativeTransportAvailable(name);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                EchoOptions options = new EchoOptions((InetSocketAddress) taken.getLocalSocketAddress(),
                        EchoOptions.DEFAULT_SOCKET_BUFFER);
                EchoServer server = factory.apply(options);
                IOException e = assertThrows(IOException.class, server::start);
                assertThat(e.getMessage(), e.getMessage().contains("in use"), is(true));
                server.close();
            }
        });
    }

    /**
     * epoll is part of every Linux kernel, so it must work here; io_uring must when the build asks
     * for it ({@code -Dloopwire.require=io_uring}, as {@code .ci/run} does), else it is skipped with
     * Netty's reason.
     */
    private static void assumeNativeTransportAvailable(String name) {
        boolean linux = System.getProperty("os.name", "").toLowerCase().contains("linux");
        if (name.equals("netty-epoll")) {
            assumeTrue(linux, "epoll exists on Linux only");
            if (!Epoll.isAvailable()) {
                fail("Netty epoll is not available on Linux: " + Epoll.unavailabilityCause());
            }
        } else if (name.equals("netty-io_uring") && !IoUring.isAvailable()) {
            if (System.getProperty("loopwire.require", "").contains("io_uring")) {
                fail("io_uring is required (-Dloopwire.require) but Netty says: " + IoUring.unavailabilityCause());
            }
            assumeTrue(false, "Netty io_uring is not available: " + IoUring.unavailabilityCause());
        }
    }
}
