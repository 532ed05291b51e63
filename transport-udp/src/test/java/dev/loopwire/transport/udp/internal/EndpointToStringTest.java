// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.RequireIoUring;
import dev.loopwire.transport.udp.UdpBinder;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Both endpoints show their addresses, queue and state the same way in toString(). */
class EndpointToStringTest {

    static Stream<Arguments> providers() {
        return Stream.of(
                Arguments.of("readiness", (Supplier<EventLoop>) () -> EventLoops.open("selector"),
                        new ReadinessUdpProvider()),
                Arguments.of("completion", (Supplier<EventLoop>) RequireIoUring::open, new UringUdpProvider()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void toStringShowsAddressesQueueAndState(String name, Supplier<EventLoop> loops,
            TransportProvider<UdpBinder> provider) throws Exception {
        try (EventLoop loop = loops.get()) {
            UdpBinder binder = provider.create(loop);
            InetSocketAddress v4 = new InetSocketAddress("127.0.0.1", 0);
            DatagramEndpoint target = binder.open(v4, null, (ep, d, s) -> { }, UdpOptions.defaults())
                    .toCompletableFuture().get(10, SECONDS);
            DatagramEndpoint endpoint = binder.open(v4, target.localAddress(), (ep, d, s) -> { }, UdpOptions.defaults())
                    .toCompletableFuture().get(10, SECONDS);
            String local = "127.0.0.1:" + endpoint.localAddress().getPort();
            String peer = "127.0.0.1:" + target.localAddress().getPort();
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                try {
                    release.await(10, SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(blocked.await(10, SECONDS), is(true));
            endpoint.send(ByteBuffer.wrap(new byte[] {1}));
            endpoint.send(ByteBuffer.wrap(new byte[] {2}));
            assertThat(endpoint.toString(), is("udp[" + local + " -> " + peer + " queued=2]"));
            var closing = endpoint.close();
            assertThat(endpoint.toString(), is("udp[" + local + " -> " + peer + " queued=2 closed]"));
            release.countDown();
            closing.toCompletableFuture().get(10, SECONDS);
            assertThat(endpoint.toString(), is("udp[" + local + " -> " + peer + " queued=0 closed]"));
            target.close().toCompletableFuture().get(10, SECONDS);
        }
    }
}
