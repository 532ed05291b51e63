// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One datagram size limit per family on every loop (issue #10, item 7): IPv4 65,507 bytes, IPv6
 * 65,527 (what Linux accepts on ::1; 65,528 fails with EMSGSIZE). A datagram at the exact
 * limit goes through, from the loop thread and from another thread, and the queue behind it
 * keeps moving; one byte more is refused with a typed exception.
 */
class SizeLimitTest {

    private static final InetSocketAddress V6 = new InetSocketAddress("::1", 0);

    private static boolean ipv6() {
        try (var probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(V6);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void ipv6DatagramsUpToTheIpv6LimitGoThroughAndNothingWedges(Supplier<EventLoop> loops) throws Exception {
        assumeTrue(ipv6(), "::1 cannot be bound on this machine (IPv6 disabled)");
        UdpOptions big = UdpOptions.builder().maxDatagramSize(UdpOptions.MAX_IPV6_PAYLOAD)
                .receiveBufferSize(1 << 20).sendBufferSize(1 << 20).build();
        try (EventLoop loop = loops.get()) {
            LinkedBlockingQueue<Integer> sizes = new LinkedBlockingQueue<>();
            Recorder errors = new Recorder();
            DatagramEndpoint receiver = await(Udp.bind(V6, (e, data, s) -> sizes.add(data.remaining()), big, loop));
            DatagramEndpoint sender = await(Udp.bind(V6, errors, big, loop));
            InetSocketAddress to = receiver.localAddress();
            // From another thread: queued, then sent by the loop's flush.
            for (int size : new int[] {65_508, 65_527, 10}) {
                assertThat(sender.send(ByteBuffer.allocate(size), to), is(true));
                assertThat(sizes.poll(10, SECONDS), is(size));
            }
            // From the loop thread: sent at once.
            CompletableFuture<Object> onLoop = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    onLoop.complete(sender.send(ByteBuffer.allocate(65_527), to));
                } catch (Throwable t) {
                    onLoop.complete(t);
                }
            });
            assertThat(onLoop.get(10, SECONDS), is(true));
            assertThat(sizes.poll(10, SECONDS), is(65_527));
            // One byte more: typed, from any thread, and the endpoint stays usable.
            var tooBig = assertThrows(DatagramTooLargeException.class, () -> sender.send(ByteBuffer.allocate(65_528), to));
            assertThat(tooBig.getMessage(), is("Datagram of '65528' bytes to '" + UdpTestText.format(to)
                    + "' exceeds the limit of 65527 bytes (the UDP payload limit over IPv6); split the payload or send less"));
            CompletableFuture<Object> tooBigOnLoop = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    tooBigOnLoop.complete(sender.send(ByteBuffer.allocate(65_528), to));
                } catch (Throwable t) {
                    tooBigOnLoop.complete(t);
                }
            });
            assertThat(tooBigOnLoop.get(10, SECONDS) instanceof DatagramTooLargeException, is(true));
            assertThat(sender.send(ByteBuffer.allocate(3), to), is(true));
            assertThat(sizes.poll(10, SECONDS), is(3));
            assertThat("no errors", errors.errors.isEmpty(), is(true));
            await(sender.close());
            await(receiver.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void ipv4StopsAtTheIpv4LimitEvenWhenMaxDatagramSizeAllowsMore(Supplier<EventLoop> loops) throws Exception {
        UdpOptions big = UdpOptions.builder().maxDatagramSize(UdpOptions.MAX_IPV6_PAYLOAD).build();
        try (EventLoop loop = loops.get()) {
            LinkedBlockingQueue<Integer> sizes = new LinkedBlockingQueue<>();
            InetSocketAddress v4 = new InetSocketAddress("127.0.0.1", 0);
            DatagramEndpoint receiver = await(Udp.bind(v4, (e, data, s) -> sizes.add(data.remaining()), big, loop));
            DatagramEndpoint sender = await(Udp.bind(v4, new Recorder(), big, loop));
            assertThat(sender.send(ByteBuffer.allocate(65_507), receiver.localAddress()), is(true));
            assertThat(sizes.poll(10, SECONDS), is(65_507));
            assertThrows(DatagramTooLargeException.class,
                    () -> sender.send(ByteBuffer.allocate(65_508), receiver.localAddress()));
            await(sender.close());
            await(receiver.close());
        }
    }
}
