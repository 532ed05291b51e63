// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.V4;
import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static dev.loopwire.transport.udp.UdpTestText.format;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input gets a typed exception naming the value and the remedy, and leaves the
 * endpoint usable: after each refusal, a good datagram still goes through.
 */
class BadInputTest {

    private static final String LOOPS = UdpTestSupport.LOOPS;

    /** Opens a sender and a receiver, runs the bad calls, then checks the sender still works. */
    private void withPair(Supplier<EventLoop> loops, UdpOptions options, BadCalls calls) throws Exception {
        try (EventLoop loop = loops.get()) {
            Recorder receiver = new Recorder();
            DatagramEndpoint target = await(Udp.bind(V4, receiver, loop));
            DatagramEndpoint sender = await(Udp.bind(V4, new Recorder(), options, loop));
            calls.run(sender, target.localAddress(), receiver);
            ByteBuffer good = Recorder.text("still usable");
            assertThat(sender.send(good, target.localAddress()), is(true));
            assertThat(receiver.next(), is("still usable"));
            await(sender.close());
            await(target.close());
        }
    }

    interface BadCalls {
        void run(DatagramEndpoint sender, InetSocketAddress target, Recorder receiver) throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void datagramOverTheIpv4LimitIsRefusedAndTheBufferUntouched(Supplier<EventLoop> loops) throws Exception {
        withPair(loops, UdpOptions.defaults(), (sender, target, receiver) -> {
            ByteBuffer big = ByteBuffer.allocate(65_508);
            var e = assertThrows(DatagramTooLargeException.class, () -> sender.send(big, target));
            assertThat(e.getMessage(), is("Datagram of '65508' bytes to '" + format(target)
                    + "' exceeds the limit of 65507 bytes (the UDP payload limit over IPv4); split the payload or send less"));
            assertThat(big.position(), is(0));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void datagramOverTheConfiguredMaximumIsRefused(Supplier<EventLoop> loops) throws Exception {
        withPair(loops, UdpOptions.builder().maxDatagramSize(100).build(), (sender, target, receiver) -> {
            var e = assertThrows(DatagramTooLargeException.class, () -> sender.send(ByteBuffer.allocate(101), target));
            assertThat(e.getMessage(), is("Datagram of '101' bytes to '" + format(target)
                    + "' exceeds the limit of 100 bytes (UdpOptions.maxDatagramSize); split the payload or send less"));
            assertThat(sender.send(ByteBuffer.allocate(100), target), is(true)); // exactly the maximum
            assertThat(receiver.next().length(), is(100));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void largestIpv4DatagramGoesThrough(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            java.util.concurrent.CompletableFuture<Integer> size = new java.util.concurrent.CompletableFuture<>();
            DatagramEndpoint receiver = await(Udp.bind(V4, (ep, data, from) -> size.complete(data.remaining()), loop));
            DatagramEndpoint sender = await(Udp.bind(V4, (ep, data, from) -> { }, loop));
            assertThat(sender.send(ByteBuffer.allocateDirect(65_507), receiver.localAddress()), is(true));
            assertThat(size.get(10, SECONDS), is(65_507));
            await(sender.close());
            await(receiver.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void unresolvedPortZeroAndForeignAddressesAreRefused(Supplier<EventLoop> loops) throws Exception {
        withPair(loops, UdpOptions.defaults(), (sender, target, receiver) -> {
            var unresolved = InetSocketAddress.createUnresolved("nowhere.invalid", 9);
            var e = assertThrows(InvalidAddressException.class, () -> sender.send(Recorder.text("x"), unresolved));
            assertThat(e.getMessage(), is("Destination 'nowhere.invalid:9' is unresolved;"
                    + " resolve it (new InetSocketAddress(host, port) does) or use an IP literal"));

            var portZero = new InetSocketAddress("127.0.0.1", 0);
            e = assertThrows(InvalidAddressException.class, () -> sender.send(Recorder.text("x"), portZero));
            assertThat(e.getMessage(), is("Destination '127.0.0.1:0' has port '0', which UDP cannot send to;"
                    + " use a port from 1 to 65535"));

            var unix = UnixDomainSocketAddress.of("/tmp/nowhere.sock");
            e = assertThrows(InvalidAddressException.class, () -> sender.send(Recorder.text("x"), unix));
            assertThat(e.getMessage(), is("Destination '/tmp/nowhere.sock' is a java.net.UnixDomainSocketAddress,"
                    + " not an InetSocketAddress; UDP needs an IP address and a port"));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void ipv6TargetOnAnIpv4SocketIsRefused(Supplier<EventLoop> loops) throws Exception {
        withPair(loops, UdpOptions.defaults(), (sender, target, receiver) -> {
            var v6 = new InetSocketAddress("::1", 9);
            var e = assertThrows(InvalidAddressException.class, () -> sender.send(Recorder.text("x"), v6));
            assertThat(e.getMessage(), is("Cannot reach IPv6 destination '[0:0:0:0:0:0:0:1]:9' from an IPv4 socket"
                    + " bound to '" + format(sender.localAddress())
                    + "'; bind an IPv6 address ('::' reaches both families) to send to IPv6 destinations"));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void nullArgumentsAreNamed(Supplier<EventLoop> loops) throws Exception {
        withPair(loops, UdpOptions.defaults(), (sender, target, receiver) -> {
            assertThat(assertThrows(NullPointerException.class, () -> sender.send(null, target)).getMessage(),
                    is("data"));
            assertThat(assertThrows(NullPointerException.class,
                    () -> sender.send(Recorder.text("x"), null)).getMessage(), is("target"));
            assertThat(assertThrows(NullPointerException.class, () -> sender.send(null)).getMessage(), is("data"));
            assertThat(assertThrows(NullPointerException.class,
                    () -> sender.join(null, null)).getMessage(), is("group"));
            EventLoop loop = sender.loop();
            assertThat(assertThrows(NullPointerException.class,
                    () -> Udp.bind(null, new Recorder(), loop)).getMessage(), is("local"));
            assertThat(assertThrows(NullPointerException.class,
                    () -> Udp.bind(V4, null, loop)).getMessage(), is("handler"));
            assertThat(assertThrows(NullPointerException.class,
                    () -> Udp.bind(V4, new Recorder(), (UdpOptions) null, loop)).getMessage(), is("options"));
            assertThat(assertThrows(NullPointerException.class,
                    () -> Udp.bind(V4, new Recorder(), (EventLoop) null)).getMessage(), is("loop"));
            assertThat(assertThrows(NullPointerException.class,
                    () -> Udp.connect(null, new Recorder(), loop)).getMessage(), is("remote"));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(LOOPS)
    void badBindAndConnectAddresses(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            var e = assertThrows(InvalidAddressException.class,
                    () -> Udp.bind(InetSocketAddress.createUnresolved("nowhere.invalid", 0), new Recorder(), loop));
            assertThat(e.getMessage(), is("Local address 'nowhere.invalid:0' is unresolved;"
                    + " resolve it (new InetSocketAddress(host, port) does) or use an IP literal"));
            e = assertThrows(InvalidAddressException.class, () -> Udp.connect(V4, new InetSocketAddress("::1", 9),
                    new Recorder(), UdpOptions.defaults(), loop));
            assertThat(e.getMessage(), is("Cannot reach IPv6 destination '[0:0:0:0:0:0:0:1]:9' from an IPv4 socket"
                    + " bound to '127.0.0.1:0'; bind an IPv6 address ('::' reaches both families) to send to IPv6 destinations"));

            // The operating system's refusal arrives through the stage, typed.
            DatagramEndpoint taken = await(Udp.bind(V4, new Recorder(), loop));
            var failed = assertThrows(ExecutionException.class,
                    () -> await(Udp.bind(taken.localAddress(), new Recorder(), loop)));
            assertThat(failed.getCause(), instanceOf(BindException.class));
            await(taken.close());
        }
    }

    @Test
    void portsOutOfRangeAreRefusedByInetSocketAddressItself() {
        // Udp takes SocketAddress only, so an out-of-range port cannot reach it: the JDK refuses it first.
        var e = assertThrows(IllegalArgumentException.class, () -> new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 65_536));
        assertThat(e.getMessage(), is("port out of range:65536"));
    }
}
