// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static dev.loopwire.tck.Waits.SECONDS_BOUND;
import static dev.loopwire.tck.Waits.await;
import static dev.loopwire.tck.Waits.hold;
import static dev.loopwire.tck.Waits.opened;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.InvalidAddressException;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The contract of UDP on a loop: everything the javadoc of {@code Udp}, {@code DatagramEndpoint}
 * and {@code DatagramHandler} promises — echo over IPv4 and IPv6 at every legal size, connected
 * endpoints, the bounded send queue and its writability events, close flushing what it
 * accepted (also under concurrent senders), sends after the loop closed, every handler
 * callback throwing exceptions and {@link Error}s, a kept receive buffer, and every bad input
 * refused with its typed exception. Endpoints talk to endpoints on the same loop, on
 * 127.0.0.1 and ::1 only, so a loop with a simulated network runs it as well.
 *
 * <p>Extend it with the method that opens your loop:
 *
 * <pre>{@code
 * class MyLoopDatagramTest extends DatagramContract {
 *     protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
 *         return MyLoop.builder().exceptionHandler(exceptionHandler).open();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> Each test opens its own loops and closes them afterwards. The attack
 * with a receive buffer kept past its call runs last: if it crashes the process, the tests
 * before it have reported.
 *
 * <p><b>Concurrency.</b> Tests send from the test thread, from the loop thread and from several
 * threads at once; every wait is bounded (ten seconds), and the checks that something did
 * <em>not</em> arrive wait 100 to 300 ms.
 */
public abstract class DatagramContract extends DatagramAttacks {

    /**
     * A datagram sent over 127.0.0.1 to an echo endpoint comes back whole with the echo's
     * address as sender; {@code onOpen} ran before the bind completed, the send advanced the
     * buffer's position, and every callback ran on the loop thread for its own endpoint.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void echoRoundTripOverIpv4() throws Exception {
        echoRoundTrip(V4);
    }

    /**
     * The IPv4 round trip again over {@code ::1}; skipped where IPv6 is disabled.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void echoRoundTripOverIpv6() throws Exception {
        assumeIpv6();
        echoRoundTrip(V6);
    }

    private void echoRoundTrip(InetSocketAddress address) throws Exception {
        EventLoop loop = loop();
        DatagramEndpoint echo = bind(address, (endpoint, data, sender) -> endpoint.send(data, sender), loop);
        RecordingHandler client = new RecordingHandler();
        DatagramEndpoint endpoint = bind(address, client, loop);
        assertThat("onOpen ran before bind completed", client.opened.getNow(null), is(sameInstance(endpoint)));
        assertThat(endpoint.loop(), is(sameInstance(loop)));
        assertThat(endpoint.localAddress().getAddress(), is(address.getAddress()));
        assertThat(endpoint.localAddress().getPort() > 0, is(true));
        assertThat(endpoint.remoteAddress(), is(nullValue()));

        ByteBuffer hello = RecordingHandler.text("hello");
        assertThat(endpoint.send(hello, echo.localAddress()), is(true));
        assertThat("position advanced: the caller may reuse the buffer", hello.hasRemaining(), is(false));
        RecordingHandler.Received r = client.poll();
        assertThat(r, is(notNullValue()));
        assertThat(r.text(), is("hello"));
        assertThat(r.sender(), is(echo.localAddress()));

        await(endpoint.close());
        await(echo.close());
        assertThat("onClose ran on the loop thread", await(client.closed), is(true));
        assertThat("callbacks off the loop thread or for another endpoint", client.misdirected.get(), is(0));
    }

    /**
     * Payloads of 0, 1, 1,472, 1,473 and 65,507 bytes (around the Ethernet MTU and at the IPv4
     * limit), sent from the test thread and from the loop thread, each arrive whole; one byte
     * over the limit is refused with {@link
     * dev.loopwire.transport.udp.DatagramTooLargeException} and the endpoint goes on.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void echoAtEverySizeBoundaryOverIpv4() throws Exception {
        echoSizes(V4, UdpOptions.defaults(), new int[] {0, 1, 1472, 1473, UdpOptions.MAX_IPV4_PAYLOAD});
    }

    /**
     * The size boundaries over {@code ::1}, up to the IPv6 limit of 65,527 bytes (with {@code
     * maxDatagramSize} raised to it); skipped where IPv6 is disabled.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void echoAtEverySizeBoundaryOverIpv6() throws Exception {
        assumeIpv6();
        UdpOptions large = UdpOptions.builder().maxDatagramSize(UdpOptions.MAX_IPV6_PAYLOAD).build();
        echoSizes(V6, large, new int[] {0, 1, 1452, 1453, UdpOptions.MAX_IPV4_PAYLOAD,
            UdpOptions.MAX_IPV4_PAYLOAD + 1, UdpOptions.MAX_IPV6_PAYLOAD});
    }

    /** Sends each size from the test thread and from the loop thread; each arrives whole. */
    private void echoSizes(InetSocketAddress address, UdpOptions options, int[] sizes) throws Exception {
        EventLoop loop = loop();
        RecordingHandler receiver = new RecordingHandler();
        DatagramEndpoint target = bind(address, receiver, options, loop);
        RecordingHandler senderEvents = new RecordingHandler();
        DatagramEndpoint sender = bind(address, senderEvents, options, loop);
        for (int size : sizes) {
            for (boolean fromLoop : new boolean[] {false, true}) {
                ByteBuffer data = payload(size, size + (fromLoop ? 1 : 0));
                boolean accepted = fromLoop
                        ? Waits.onLoop(loop, () -> sender.send(data.duplicate(), target.localAddress()))
                        : sender.send(data.duplicate(), target.localAddress());
                String what = size + " bytes sent from the " + (fromLoop ? "loop" : "test") + " thread";
                assertThat(what + " accepted", accepted, is(true));
                RecordingHandler.Received r = receiver.poll();
                assertThat(what + " arrived (errors: " + senderEvents.errors + receiver.errors + ")", r, is(notNullValue()));
                assertThat(what, ByteBuffer.wrap(r.bytes()), is(data));
            }
        }
        // One past the limit for the family is refused with its type, and the endpoint goes on.
        int limit = address.getAddress() instanceof java.net.Inet6Address
                ? UdpOptions.MAX_IPV6_PAYLOAD : UdpOptions.MAX_IPV4_PAYLOAD;
        ByteBuffer tooLarge = ByteBuffer.allocate(limit + 1);
        var e = assertThrows(DatagramTooLargeException.class, () -> sender.send(tooLarge, target.localAddress()));
        assertThat(e.getMessage(), containsString(String.valueOf(limit + 1)));
        assertThat("a refused buffer is untouched", tooLarge.position(), is(0));
        assertThat(sender.send(RecordingHandler.text("after"), target.localAddress()), is(true));
        assertThat(receiver.next(), is("after"));
        assertThat("errors reported while sending legal sizes", senderEvents.errors.isEmpty(), is(true));
        await(sender.close());
        await(target.close());
    }

    /**
     * An endpoint bound to the IPv6 wildcard {@code ::} sends to an IPv4 endpoint and receives
     * its reply; skipped where {@code ::} cannot be bound.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void aDualStackSocketOnTheIpv6WildcardReachesAnIpv4Peer() throws Exception {
        boolean dualStack;
        try (var probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("::", 0));
            dualStack = true;
        } catch (Exception e) {
            dualStack = false;
        }
        assumeTrue(dualStack, "'::' cannot be bound on this machine (IPv6 disabled)");
        EventLoop loop = loop();
        RecordingHandler v4 = new RecordingHandler();
        DatagramEndpoint v4Endpoint = bind(V4, v4, loop);
        RecordingHandler dual = new RecordingHandler();
        DatagramEndpoint dualEndpoint = bind(new InetSocketAddress("::", 0), dual, loop);
        assertThat(dualEndpoint.send(RecordingHandler.text("to v4"), v4Endpoint.localAddress()), is(true));
        RecordingHandler.Received r = v4.poll();
        assertThat(r, is(notNullValue()));
        assertThat(r.text(), is("to v4"));
        assertThat(r.sender().getPort(), is(dualEndpoint.localAddress().getPort()));
        v4Endpoint.send(RecordingHandler.text("back"), r.sender());
        assertThat(dual.next(), is("back"));
        await(dualEndpoint.close());
        await(v4Endpoint.close());
    }

    /**
     * An endpoint opened with {@code Udp.connect} reports its peer, exchanges datagrams with
     * it, never receives a stranger's datagram, and refuses a send to another address with
     * {@link dev.loopwire.transport.udp.InvalidAddressException} naming that address's port,
     * then stays usable.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void aConnectedEndpointSendsToAndReceivesFromItsPeerOnly() throws Exception {
        EventLoop loop = loop();
        RecordingHandler server = new RecordingHandler();
        DatagramEndpoint serverEndpoint = bind(V4, server, loop);
        RecordingHandler client = new RecordingHandler();
        DatagramEndpoint connected = await(Udp.connect(V4, serverEndpoint.localAddress(), client,
                UdpOptions.defaults(), loop));
        assertThat(connected.remoteAddress(), is(serverEndpoint.localAddress()));
        assertThat(connected.localAddress().getAddress(), is(V4.getAddress()));

        assertThat(connected.send(RecordingHandler.text("ping")), is(true));
        RecordingHandler.Received ping = server.poll();
        assertThat(ping.text(), is("ping"));
        assertThat(serverEndpoint.send(RecordingHandler.text("pong"), ping.sender()), is(true));
        assertThat(client.next(), is("pong"));

        // A stranger's datagram is filtered out by the connected socket.
        DatagramEndpoint stranger = bind(V4, new RecordingHandler(), loop);
        stranger.send(RecordingHandler.text("stranger"), new InetSocketAddress("127.0.0.1",
                connected.localAddress().getPort()));
        serverEndpoint.send(RecordingHandler.text("from peer"), ping.sender());
        assertThat(client.next(), is("from peer"));
        assertThat(client.datagrams.poll(100, MILLISECONDS), is(nullValue()));

        var e = assertThrows(InvalidAddressException.class,
                () -> connected.send(RecordingHandler.text("x"), stranger.localAddress()));
        assertThat(e.getMessage(), containsString(String.valueOf(stranger.localAddress().getPort())));
        assertThat(connected.send(RecordingHandler.text("still usable")), is(true));
        assertThat(server.next(), is("still usable"));
        await(connected.close());
        await(stranger.close());
        await(serverEndpoint.close());
    }

    /**
     * Sends from a connected endpoint to a peer that has closed report a {@link
     * java.net.PortUnreachableException} with a message to {@code onError} (a few tries are
     * allowed, the kernel may rate-limit ICMP), and the endpoint stays open.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void aConnectedEndpointReportsAnUnreachablePeerAndGoesOn() throws Exception {
        EventLoop loop = loop();
        DatagramEndpoint peer = bind(V4, new RecordingHandler(), loop);
        RecordingHandler client = new RecordingHandler();
        DatagramEndpoint connected = await(Udp.connect(V4, peer.localAddress(), client, UdpOptions.defaults(), loop));
        await(peer.close());
        // The kernel may rate-limit ICMP, so a few tries are allowed.
        Throwable error = null;
        for (int i = 0; i < 50 && error == null; i++) {
            connected.send(RecordingHandler.text("into the void"));
            error = client.errors.poll(200, MILLISECONDS);
        }
        assertThat(error, is(instanceOf(PortUnreachableException.class)));
        assertThat("a PortUnreachableException with a message", error.getMessage(), is(notNullValue()));
        assertThat(connected.isClosed(), is(false));
        await(connected.close());
    }

    /**
     * {@code send(data)} on an endpoint opened with {@code Udp.bind} throws {@link
     * IllegalStateException} whose message points to {@code send(data, target)}.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void anUnconnectedSendWithoutTargetIsRefused() throws Exception {
        EventLoop loop = loop();
        DatagramEndpoint endpoint = bind(V4, new RecordingHandler(), loop);
        var e = assertThrows(IllegalStateException.class, () -> endpoint.send(RecordingHandler.text("x")));
        assertThat(e.getMessage(), containsString("send(data, target)"));
        await(endpoint.close());
    }

    /**
     * An endpoint that joined 239.255.77.77 on the loopback interface receives a datagram sent
     * to the group; a second join and leave are no-ops; after leaving nothing more arrives;
     * joining a unicast address is refused naming it. Skipped where the loopback interface
     * cannot carry multicast.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void multicastJoinAndLeaveOnLoopback() throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1"));
        assumeTrue(lo != null, "no interface carries 127.0.0.1 here");
        InetAddress group = InetAddress.getByName("239.255.77.77");
        EventLoop loop = loop();
        RecordingHandler receiver = new RecordingHandler();
        // Bound to the group itself: receives the group's datagrams and nothing off-host.
        DatagramEndpoint member = bind(new InetSocketAddress(group, 0), receiver,
                UdpOptions.builder().reuseAddress(true).build(), loop);
        try {
            member.join(group, lo);
        } catch (java.io.IOException e) {
            await(member.close());
            assumeTrue(false, "the loop refused to join " + group.getHostAddress() + " on " + lo.getName() + ": " + e);
        }
        member.join(group, lo); // a second join is a no-op
        DatagramEndpoint sender = bind(V4, new RecordingHandler(),
                UdpOptions.builder().multicastInterface(lo).multicastTtl(0).multicastLoopback(true).build(), loop);
        InetSocketAddress target = new InetSocketAddress(group, member.localAddress().getPort());
        sender.send(RecordingHandler.text("to the group"), target);
        RecordingHandler.Received r = receiver.datagrams.poll(3, SECONDS);
        if (r == null) {
            await(sender.close());
            await(member.close());
            assumeTrue(false, "multicast was not looped back on " + lo.getName());
        }
        assertThat(r.text(), is("to the group"));

        member.leave(group, lo);
        member.leave(group, lo); // leaving a group not joined is a no-op
        sender.send(RecordingHandler.text("after leave"), target);
        assertThat(receiver.datagrams.poll(300, MILLISECONDS), is(nullValue()));

        var e = assertThrows(InvalidAddressException.class, () -> member.join(InetAddress.getByName("127.0.0.1"), lo));
        assertThat(e.getMessage(), containsString("'127.0.0.1'"));
        await(sender.close());
        await(member.close());
    }

    /**
     * Datagrams queued while the loop is busy are all sent, in order, by {@code close()}; from
     * the call on, the endpoint is closed, a second {@code close()} returns the same stage,
     * and a send is refused with {@link dev.loopwire.transport.udp.EndpointClosedException}
     * leaving its buffer untouched.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void closeFlushesQueuedSendsThenClosesAndRejectsLaterSends() throws Exception {
        EventLoop loop = loop();
        RecordingHandler server = new RecordingHandler();
        DatagramEndpoint serverEndpoint = bind(V4, server, loop);
        RecordingHandler client = new RecordingHandler();
        DatagramEndpoint endpoint = bind(V4, client, loop);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(hold(blocked, release));
        assertThat(opened(blocked), is(true));
        // The loop is busy: these wait in the send queue.
        for (int i = 0; i < 20; i++) {
            assertThat(endpoint.send(RecordingHandler.text("queued " + i), serverEndpoint.localAddress()), is(true));
        }
        assertThat("20 small datagrams are far from the default bounds", endpoint.isWritable(), is(true));
        CompletionStage<Void> closing = endpoint.close();
        assertThat("a second close returns the same stage", endpoint.close(), is(sameInstance(closing)));
        assertThat(endpoint.isClosed(), is(true));
        ByteBuffer late = RecordingHandler.text("late");
        assertThrows(EndpointClosedException.class, () -> endpoint.send(late, serverEndpoint.localAddress()));
        assertThat("a refused buffer is untouched", late.position(), is(0));
        release.countDown();
        await(closing);
        assertThat(await(client.closed), is(true));
        List<String> got = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            got.add(server.next());
            expected.add("queued " + i);
        }
        assertThat(got, is(expected));
        assertThat(client.errors.isEmpty(), is(true));
        await(serverEndpoint.close());
    }

    /**
     * Fifty sends and a {@code close()} in one task on the loop thread: every datagram
     * arrives, in order, before the close completes, and nothing is reported to {@code
     * onError}.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void closeRightAfterABurstOfSendsInTheSameLoopTurnSendsThemAllInOrder() throws Exception {
        int count = 50;
        EventLoop loop = loop();
        RecordingHandler peer = new RecordingHandler();
        DatagramEndpoint target = bind(V4, peer, UdpOptions.builder().receiveBufferSize(1 << 20).build(), loop);
        RecordingHandler client = new RecordingHandler();
        DatagramEndpoint endpoint = bind(V4, client, loop);
        CompletableFuture<CompletionStage<Void>> closing = new CompletableFuture<>();
        loop.execute(() -> {
            ByteBuffer payload = ByteBuffer.allocate(1000);
            for (int i = 0; i < count; i++) {
                payload.clear().putInt(0, i);
                if (!endpoint.send(payload, target.localAddress())) {
                    closing.completeExceptionally(new AssertionError("refused datagram " + i));
                    return;
                }
            }
            closing.complete(endpoint.close());
        });
        CompletionStage<Void> closed = closing.get(SECONDS_BOUND, SECONDS);
        for (int i = 0; i < count; i++) {
            RecordingHandler.Received r = peer.poll();
            assertThat("datagram " + i + " arrived", r, is(notNullValue()));
            assertThat(ByteBuffer.wrap(r.bytes()).getInt(), is(i));
        }
        await(closed);
        assertThat(await(client.closed), is(true));
        assertThat(client.errors.isEmpty(), is(true));
    }

    /**
     * With a send queue of 8 datagrams filled while the loop is busy, the endpoint turns
     * unwritable and a ninth send returns {@code false} with its buffer untouched; once the
     * queue drains, {@code onWritabilityChanged} has reported {@code false} then {@code true}
     * and the refused datagram can be sent.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void aFullSendQueueRefusesWithoutTouchingTheBufferAndReportsWritability() throws Exception {
        EventLoop loop = loop();
        RecordingHandler server = new RecordingHandler();
        DatagramEndpoint serverEndpoint = bind(V4, server, loop);
        RecordingHandler client = new RecordingHandler();
        DatagramEndpoint endpoint = bind(V4, client, UdpOptions.builder().sendQueueDatagrams(8).build(), loop);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(hold(blocked, release));
        assertThat(opened(blocked), is(true));
        for (int i = 0; i < 8; i++) {
            assertThat(endpoint.send(RecordingHandler.text("d" + i), serverEndpoint.localAddress()), is(true));
        }
        assertThat(endpoint.isWritable(), is(false));
        ByteBuffer refused = RecordingHandler.text("refused");
        assertThat(endpoint.send(refused, serverEndpoint.localAddress()), is(false));
        assertThat(refused.position(), is(0));
        assertThat(refused.remaining(), is(7));
        release.countDown();
        for (int i = 0; i < 8; i++) {
            assertThat(server.next(), is("d" + i));
        }
        awaitCondition("writable again, with two writability events",
                () -> endpoint.isWritable() && client.writability.size() >= 2);
        assertThat(client.writability, contains(false, true));
        assertThat(endpoint.send(refused, serverEndpoint.localAddress()), is(true));
        assertThat(server.next(), is("refused"));
        await(endpoint.close());
        await(serverEndpoint.close());
    }

    /**
     * Over ten rounds of filling a 4-datagram send queue and draining it, every accepted
     * datagram arrives and {@code onWritabilityChanged} reports exactly {@code false}, {@code
     * true} per round.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void writabilityEventsAlternateOverManyFillAndDrainRounds() throws Exception {
        EventLoop loop = loop();
        RecordingHandler server = new RecordingHandler();
        DatagramEndpoint serverEndpoint = bind(V4, server, UdpOptions.builder().receiveBufferSize(1 << 20).build(), loop);
        RecordingHandler client = new RecordingHandler();
        DatagramEndpoint endpoint = bind(V4, client, UdpOptions.builder().sendQueueDatagrams(4).build(), loop);
        int rounds = 10;
        int accepted = 0;
        for (int round = 0; round < rounds; round++) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            loop.execute(hold(blocked, release));
            assertThat(opened(blocked), is(true));
            int inRound = 0;
            while (endpoint.send(RecordingHandler.text("r" + round + " d" + inRound), serverEndpoint.localAddress())) {
                inRound++;
                assertThat("a queue of 4 datagrams refused nothing after " + inRound, inRound <= 4, is(true));
            }
            accepted += inRound;
            assertThat(endpoint.isWritable(), is(false));
            release.countDown();
            awaitCondition("writable again in round " + round, endpoint::isWritable);
        }
        for (int i = 0; i < accepted; i++) {
            assertThat("datagram " + i + " of " + accepted, server.next(), is(notNullValue()));
        }
        awaitCondition("every writability event reported", () -> client.writability.size() >= 2 * rounds);
        List<Boolean> expected = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            expected.add(false);
            expected.add(true);
        }
        assertThat(client.writability, is(expected));
        await(endpoint.close());
    }

    /**
     * Datagrams of 101 and 5,000 bytes reaching an endpoint whose {@code maxDatagramSize} is
     * 100 are not delivered but reported to {@code onError} as {@link
     * dev.loopwire.transport.udp.DatagramTooLargeException} naming the sender's port and the
     * limit; a 100-byte datagram still arrives whole.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void anIncomingDatagramOverTheMaximumIsReportedAndReceivingGoesOn() throws Exception {
        EventLoop loop = loop();
        RecordingHandler receiver = new RecordingHandler();
        DatagramEndpoint small = bind(V4, receiver, UdpOptions.builder().maxDatagramSize(100).build(), loop);
        DatagramEndpoint sender = bind(V4, new RecordingHandler(), loop);
        for (int size : new int[] {101, 5000}) {
            sender.send(ByteBuffer.allocate(size), small.localAddress());
            Throwable error = receiver.nextError();
            assertThat(error, is(instanceOf(DatagramTooLargeException.class)));
            assertThat(error.getMessage(), containsString(String.valueOf(sender.localAddress().getPort())));
            assertThat(error.getMessage(), containsString("100"));
        }
        sender.send(payload(100, 7), small.localAddress());
        assertThat(ByteBuffer.wrap(receiver.poll().bytes()), is(payload(100, 7)));
        assertThat("the oversized datagrams were not delivered", receiver.datagrams.isEmpty(), is(true));
        await(sender.close());
        await(small.close());
    }
}
