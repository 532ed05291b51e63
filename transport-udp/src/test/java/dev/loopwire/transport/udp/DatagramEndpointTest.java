package dev.loopwire.transport.udp;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The endpoint contract, run on every loop in {@link LoopFactories}: real sockets on 127.0.0.1
 * and ::1 only.
 */
class DatagramEndpointTest {

    static final String LOOPS = "dev.loopwire.transport.udp.LoopFactories#all";
    static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
    static final InetSocketAddress V6 = new InetSocketAddress("::1", 0);

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, SECONDS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void echoRoundTripOverIpv4(Supplier<EventLoop> loops) throws Exception {
        echoRoundTrip(loops, V4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void echoRoundTripOverIpv6(Supplier<EventLoop> loops) throws Exception {
        boolean ipv6;
        try (var probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(V6);
            ipv6 = true;
        } catch (Exception e) {
            ipv6 = false;
        }
        assumeTrue(ipv6, "::1 cannot be bound on this machine (IPv6 disabled)");
        echoRoundTrip(loops, V6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void aDualStackSocketOnTheIpv6WildcardReachesAnIpv4Peer(Supplier<EventLoop> loops) throws Exception {
        boolean dualStack;
        try (var probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("::", 0));
            dualStack = true;
        } catch (Exception e) {
            dualStack = false;
        }
        assumeTrue(dualStack, "'::' cannot be bound on this machine (IPv6 disabled)");
        try (EventLoop loop = loops.get()) {
            Recorder v4 = new Recorder();
            DatagramEndpoint v4Endpoint = await(Udp.bind(V4, v4, loop));
            Recorder dual = new Recorder();
            DatagramEndpoint dualEndpoint = await(Udp.bind(new InetSocketAddress("::", 0), dual, loop));
            assertThat(dualEndpoint.send(Recorder.text("to v4"), v4Endpoint.localAddress()), is(true));
            Recorder.Received r = v4.datagrams.poll(10, SECONDS);
            assertThat(r, is(notNullValue()));
            assertThat(r.text(), is("to v4"));
            assertThat(r.sender().getPort(), is(dualEndpoint.localAddress().getPort()));
            v4Endpoint.send(Recorder.text("back"), r.sender());
            assertThat(dual.next(), is("back"));
            await(dualEndpoint.close());
            await(v4Endpoint.close());
        }
    }

    private void echoRoundTrip(Supplier<EventLoop> loops, InetSocketAddress address) throws Exception {
        try (EventLoop loop = loops.get()) {
            DatagramEndpoint echo = await(Udp.bind(address, new EchoHandler(), loop));
            Recorder client = new Recorder();
            DatagramEndpoint endpoint = await(Udp.bind(address, client, loop));
            assertThat(await(client.opened), is(endpoint));
            assertThat(endpoint.loop(), is(loop));
            assertThat(endpoint.localAddress().getAddress(), is(address.getAddress()));
            assertThat(endpoint.localAddress().getPort() > 0, is(true));
            assertThat(endpoint.remoteAddress(), is(nullValue()));

            ByteBuffer hello = Recorder.text("hello");
            assertThat(endpoint.send(hello, echo.localAddress()), is(true));
            assertThat(hello.hasRemaining(), is(false)); // position advanced: the caller may reuse it
            Recorder.Received r = client.datagrams.poll(10, SECONDS);
            assertThat(r, is(notNullValue()));
            assertThat(r.text(), is("hello"));
            assertThat(r.sender(), is(echo.localAddress()));
            assertThat(r.onLoopThread(), is(true));

            await(endpoint.close());
            await(echo.close());
            assertThat(await(client.closed), is(true)); // onClose ran on the loop thread
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void connectedEndpointSendsToAndReceivesFromItsPeerOnly(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            Recorder server = new Recorder();
            DatagramEndpoint serverEndpoint = await(Udp.bind(V4, server, loop));
            Recorder client = new Recorder();
            DatagramEndpoint connected = await(Udp.connect(V4, serverEndpoint.localAddress(), client,
                    UdpOptions.defaults(), loop));
            assertThat(connected.remoteAddress(), is(serverEndpoint.localAddress()));
            assertThat(connected.localAddress().getAddress(), is(V4.getAddress()));

            assertThat(connected.send(Recorder.text("ping")), is(true));
            Recorder.Received ping = server.datagrams.poll(10, SECONDS);
            assertThat(ping.text(), is("ping"));
            assertThat(serverEndpoint.send(Recorder.text("pong"), ping.sender()), is(true));
            assertThat(client.next(), is("pong"));

            // A stranger's datagram is filtered out by the connected socket.
            Recorder stranger = new Recorder();
            DatagramEndpoint strangerEndpoint = await(Udp.bind(V4, stranger, loop));
            InetSocketAddress clientAddress = new InetSocketAddress("127.0.0.1", connected.localAddress().getPort());
            strangerEndpoint.send(Recorder.text("stranger"), clientAddress);
            serverEndpoint.send(Recorder.text("from peer"), ping.sender());
            assertThat(client.next(), is("from peer"));
            assertThat(client.datagrams.poll(100, MILLISECONDS), is(nullValue()));

            var e = assertThrows(InvalidAddressException.class,
                    () -> connected.send(Recorder.text("x"), strangerEndpoint.localAddress()));
            assertThat(e.getMessage(), is("Endpoint " + connected + " is connected to '"
                    + UdpTestText.format(serverEndpoint.localAddress()) + "' and cannot send to '"
                    + UdpTestText.format(strangerEndpoint.localAddress())
                    + "'; use send(data) or an unconnected endpoint"));

            // The peer goes away: ICMP port unreachable is reported, and the endpoint goes on.
            await(serverEndpoint.close());
            // The kernel may rate-limit ICMP, so a few tries are allowed.
            Throwable error = null;
            for (int i = 0; i < 50 && error == null; i++) {
                connected.send(Recorder.text("into the void"));
                error = client.errors.poll(200, MILLISECONDS);
            }
            assertThat(error instanceof PortUnreachableException, is(true));
            assertThat(connected.isClosed(), is(false));
            await(connected.close());
            await(strangerEndpoint.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void unconnectedSendWithoutTargetIsRefused(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            DatagramEndpoint endpoint = await(Udp.bind(V4, new Recorder(), loop));
            var e = assertThrows(IllegalStateException.class, () -> endpoint.send(Recorder.text("x")));
            assertThat(e.getMessage(), is("Endpoint " + endpoint + " is not connected; use send(data, target)"
                    + " or open it with Udp.connect"));
            await(endpoint.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void multicastJoinAndLeaveOnLoopback(Supplier<EventLoop> loops) throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1"));
        assumeTrue(lo != null, "no interface carries 127.0.0.1 here");
        InetAddress group = InetAddress.getByName("239.255.77.77");
        try (EventLoop loop = loops.get()) {
            Recorder receiver = new Recorder();
            // Bound to the group itself: receives the group's datagrams and nothing off-host.
            DatagramEndpoint member = await(Udp.bind(new InetSocketAddress(group, 0), receiver,
                    UdpOptions.builder().reuseAddress(true).build(), loop));
            try {
                member.join(group, lo);
            } catch (java.io.IOException e) {
                await(member.close());
                assumeTrue(false, "the kernel refused to join " + group.getHostAddress() + " on " + lo.getName()
                        + " (" + e + "; lo multicast flag: " + lo.supportsMulticast() + ")");
            }
            member.join(group, lo); // a second join is a no-op
            DatagramEndpoint sender = await(Udp.bind(V4, new Recorder(),
                    UdpOptions.builder().multicastInterface(lo).multicastTtl(0).multicastLoopback(true).build(), loop));
            InetSocketAddress target = new InetSocketAddress(group, member.localAddress().getPort());
            sender.send(Recorder.text("to the group"), target);
            Recorder.Received r = receiver.datagrams.poll(3, SECONDS);
            if (r == null) {
                await(sender.close());
                await(member.close());
                assumeTrue(false, "the kernel did not loop multicast back on " + lo.getName()
                        + " (lo multicast flag: " + lo.supportsMulticast() + ")");
            }
            assertThat(r.text(), is("to the group"));

            member.leave(group, lo);
            member.leave(group, lo); // leaving a group not joined is a no-op
            sender.send(Recorder.text("after leave"), target);
            assertThat(receiver.datagrams.poll(300, MILLISECONDS), is(nullValue()));

            var e = assertThrows(InvalidAddressException.class,
                    () -> member.join(InetAddress.getByName("127.0.0.1"), lo));
            assertThat(e.getMessage(), is("'127.0.0.1' is not a multicast address;"
                    + " use a group in 224.0.0.0/4 (IPv4) or ff00::/8 (IPv6)"));
            await(sender.close());
            await(member.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void closeFlushesQueuedSendsThenClosesAndRejectsLaterSends(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            Recorder server = new Recorder();
            DatagramEndpoint serverEndpoint = await(Udp.bind(V4, server, loop));
            Recorder client = new Recorder();
            DatagramEndpoint endpoint = await(Udp.bind(V4, client, loop));
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                awaitLatch(release);
            });
            assertThat(blocked.await(10, SECONDS), is(true));
            // The loop is busy: these wait in the send queue.
            for (int i = 0; i < 20; i++) {
                assertThat(endpoint.send(Recorder.text("queued " + i), serverEndpoint.localAddress()), is(true));
            }
            assertThat(endpoint.isWritable(), is(true)); // 20 datagrams are far from the default bounds
            CompletionStage<Void> closing = endpoint.close();
            assertThat(endpoint.close(), is(notNullValue())); // a second close is harmless
            assertThat(endpoint.isClosed(), is(true));
            var e = assertThrows(EndpointClosedException.class,
                    () -> endpoint.send(Recorder.text("late"), serverEndpoint.localAddress()));
            assertThat(e.getMessage(), is("Endpoint " + endpoint + " is closed; open a new one with Udp.bind"));
            release.countDown();
            await(closing);
            assertThat(await(client.closed), is(true));
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                got.add(server.next());
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add("queued " + i);
            }
            assertThat(got, is(expected));
            await(serverEndpoint.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void closeRightAfterABurstOfSendsInTheSameLoopTurnSendsThemAllInOrder(Supplier<EventLoop> loops)
            throws Exception {
        int count = 50;
        try (EventLoop loop = loops.get();
                java.nio.channels.DatagramChannel peer = java.nio.channels.DatagramChannel.open()) {
            // On a completion loop the sends and the socket's close are submitted together: the
            // close must not cancel sends the endpoint has accepted. (On loopback the kernel
            // frees the sender's buffer at once, so sends never wait for room here.)
            peer.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
            peer.bind(V4);
            InetSocketAddress target = (InetSocketAddress) peer.getLocalAddress();
            Recorder client = new Recorder();
            DatagramEndpoint endpoint = await(Udp.bind(V4, client, loop));
            CompletableFuture<CompletionStage<Void>> closing = new CompletableFuture<>();
            loop.execute(() -> {
                ByteBuffer payload = ByteBuffer.allocate(1000);
                for (int i = 0; i < count; i++) {
                    payload.clear().putInt(0, i);
                    if (!endpoint.send(payload, target)) {
                        closing.completeExceptionally(new AssertionError("refused datagram " + i));
                        return;
                    }
                }
                closing.complete(endpoint.close());
            });
            CompletionStage<Void> closed = closing.get(10, SECONDS);
            ByteBuffer in = ByteBuffer.allocate(2000);
            for (int i = 0; i < count; i++) {
                int n = i;
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    peer.receive(in.clear());
                    assertThat(in.flip().getInt(), is(n));
                });
            }
            await(closed);
            assertThat(await(client.closed), is(true));
            assertThat(client.errors.isEmpty(), is(true));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void fullSendQueueRefusesWithoutTouchingTheBufferAndReportsWritability(Supplier<EventLoop> loops)
            throws Exception {
        try (EventLoop loop = loops.get()) {
            Recorder server = new Recorder();
            DatagramEndpoint serverEndpoint = await(Udp.bind(V4, server, loop));
            Recorder client = new Recorder();
            UdpOptions small = UdpOptions.builder().sendQueueDatagrams(8).build();
            DatagramEndpoint endpoint = await(Udp.bind(V4, client, small, loop));
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                awaitLatch(release);
            });
            assertThat(blocked.await(10, SECONDS), is(true));
            for (int i = 0; i < 8; i++) {
                assertThat(endpoint.send(Recorder.text("d" + i), serverEndpoint.localAddress()), is(true));
            }
            assertThat(endpoint.isWritable(), is(false));
            ByteBuffer refused = Recorder.text("refused");
            assertThat(endpoint.send(refused, serverEndpoint.localAddress()), is(false));
            assertThat(refused.position(), is(0));
            assertThat(refused.remaining(), is(7));
            release.countDown();
            for (int i = 0; i < 8; i++) {
                assertThat(server.next(), is("d" + i));
            }
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                while (!endpoint.isWritable() || client.writability.size() < 2) {
                    Thread.sleep(5);
                }
            });
            assertThat(client.writability, contains(false, true));
            assertThat(endpoint.send(refused, serverEndpoint.localAddress()), is(true));
            assertThat(server.next(), is("refused"));
            await(endpoint.close());
            await(serverEndpoint.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void anIncomingDatagramOverTheMaximumIsReportedAndReceivingGoesOn(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            Recorder receiver = new Recorder();
            DatagramEndpoint small = await(Udp.bind(V4, receiver, UdpOptions.builder().maxDatagramSize(100).build(),
                    loop));
            DatagramEndpoint sender = await(Udp.bind(V4, new Recorder(), loop));
            for (int size : new int[] {101, 5000}) {
                sender.send(ByteBuffer.allocate(size), small.localAddress());
                Throwable error = receiver.errors.poll(10, SECONDS);
                assertThat(String.valueOf(error), error instanceof DatagramTooLargeException, is(true));
                assertThat(error.getMessage(), is("Dropped a datagram from '" + UdpTestText.format(sender.localAddress())
                        + "' larger than the maximum of 100 bytes; raise UdpOptions.maxDatagramSize to receive it"));
            }
            sender.send(Recorder.text("fits"), small.localAddress());
            assertThat(receiver.next(), is("fits"));
            await(sender.close());
            await(small.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void throwingHandlerIsReportedAndTheEndpointKeepsReceiving(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            Recorder server = new Recorder() {
                int count;

                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                    super.onDatagram(endpoint, data, sender);
                    if (++count == 1) {
                        throw new IllegalStateException("handler boom");
                    }
                }
            };
            DatagramEndpoint serverEndpoint = await(Udp.bind(V4, server, loop));
            DatagramEndpoint client = await(Udp.bind(V4, new Recorder(), loop));
            client.send(Recorder.text("first"), serverEndpoint.localAddress());
            assertThat(server.next(), is("first"));
            Throwable error = server.errors.poll(10, SECONDS);
            assertThat(error.getMessage(), is("handler boom"));
            client.send(Recorder.text("second"), serverEndpoint.localAddress());
            assertThat(server.next(), is("second"));

            // onError itself throwing goes to the loop's handler; the endpoint still goes on.
            DatagramHandler rethrowing = new Recorder() {
                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                    super.onDatagram(endpoint, data, sender);
                    throw new IllegalStateException("expected by the test: handler and onError both throw");
                }

                @Override
                public void onError(DatagramEndpoint endpoint, Throwable e) {
                    throw new IllegalStateException("expected by the test: onError throws", e);
                }
            };
            DatagramEndpoint stubborn = await(Udp.bind(V4, rethrowing, loop));
            client.send(Recorder.text("a"), stubborn.localAddress());
            client.send(Recorder.text("b"), stubborn.localAddress());
            assertThat(((Recorder) rethrowing).next(), is("a"));
            assertThat(((Recorder) rethrowing).next(), is("b"));
            await(stubborn.close());
            await(client.close());
            await(serverEndpoint.close());
        }
    }

    static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(10, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
