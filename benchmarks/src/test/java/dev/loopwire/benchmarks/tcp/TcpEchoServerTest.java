// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Java TCP echo server of run-tcp.sh, in-process, against plain blocking JDK sockets. */
class TcpEchoServerTest {

    static Stream<Arguments> servers() {
        return Stream.of(
                Arguments.of("netty-nio", (Function<TcpEchoOptions, TcpEchoServer>) NettyNioTcpEchoServer::new),
                Arguments.of("netty-epoll", (Function<TcpEchoOptions, TcpEchoServer>) NettyEpollTcpEchoServer::new),
                Arguments.of("netty-io_uring",
                        (Function<TcpEchoOptions, TcpEchoServer>) NettyIoUringTcpEchoServer::new),
                Arguments.of("loopwire-selector",
                        (Function<TcpEchoOptions, TcpEchoServer>) LoopwireSelectorTcpEchoServer::new),
                Arguments.of("loopwire-completion",
                        (Function<TcpEchoOptions, TcpEchoServer>) LoopwireCompletionTcpEchoServer::new));
    }

    /** Request/response on 8 connections at once: every message of random size comes back whole, in order. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void echoesMessagesOnSeveralConnectionsByteForByte(String name, Function<TcpEchoOptions, TcpEchoServer> factory) {
        assumeNativeTransportAvailable(name);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (TcpEchoServer server = factory.apply(TcpEchoOptions.loopback())) {
                InetSocketAddress address = server.start();
                List<Socket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < 8; i++) {
                        Socket s = new Socket(address.getAddress(), address.getPort());
                        s.setSoTimeout(10_000);
                        s.setTcpNoDelay(true);
                        sockets.add(s);
                    }
                    Random random = new Random(name.hashCode());
                    for (int round = 0; round < 50; round++) {
                        for (Socket s : sockets) {
                            byte[] sent = new byte[1 + random.nextInt(3000)];
                            random.nextBytes(sent);
                            s.getOutputStream().write(sent);
                            assertThat(name + " round " + round, readFully(s.getInputStream(), sent.length), is(sent));
                        }
                    }
                } finally {
                    for (Socket s : sockets) {
                        s.close();
                    }
                }
            }
        });
    }

    /**
     * 8 MiB written in one go while another thread reads: more than every socket buffer holds, so
     * the server's back-pressure (pause reading while its queue is full) is used; nothing is lost
     * or reordered, and after the client's FIN the server closes too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void echoesABulkStreamAndClosesAfterTheClientsFin(String name, Function<TcpEchoOptions, TcpEchoServer> factory) {
        assumeNativeTransportAvailable(name);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (TcpEchoServer server = factory.apply(TcpEchoOptions.loopback());
                    Socket s = new Socket()) {
                s.connect(server.start(), 10_000);
                s.setSoTimeout(20_000);
                byte[] sent = new byte[8 << 20];
                new Random(name.hashCode()).nextBytes(sent);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write(sent);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                byte[] received = readFully(s.getInputStream(), sent.length);
                writer.get(20, TimeUnit.SECONDS);
                assertThat("the echo equals what was sent", Arrays.equals(received, sent), is(true));
                assertThat("the server closes after the client's FIN", s.getInputStream().read(), is(-1));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aPortInUseFailsStartWithIOExceptionAndCloseStillWorks(String name,
            Function<TcpEchoOptions, TcpEchoServer> factory) {
        assumeNativeTransportAvailable(name);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
                TcpEchoServer server = factory.apply(
                        new TcpEchoOptions((InetSocketAddress) taken.getLocalSocketAddress()));
                IOException e = assertThrows(IOException.class, server::start);
                assertThat(e.getMessage(), containsString("in use"));
                server.close();
            }
        });
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] buffer = new byte[length];
        int n = 0;
        while (n < length) {
            int r = in.read(buffer, n, length - n);
            if (r < 0) {
                throw new IOException("the server closed after " + n + " of " + length + " bytes");
            }
            n += r;
        }
        return buffer;
    }

    /**
     * epoll is part of every Linux kernel, so it must work here; Netty's io_uring must when the
     * build asks for it ({@code -Dloopwire.require=io_uring}), else it is skipped with Netty's reason.
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
