// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.example.simloop.SimLoop;
import dev.loopwire.loop.Availability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.spi.EventLoopProvider;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HeartbeatTest {

    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);

    /** Records events as "up 1234" / "down 1234" and completes a future on the first of each. */
    private static final class Events implements PeerListener {
        final List<String> log = new CopyOnWriteArrayList<>();
        final CompletableFuture<InetSocketAddress> up = new CompletableFuture<>();
        final CompletableFuture<InetSocketAddress> down = new CompletableFuture<>();

        @Override
        public void up(InetSocketAddress peer) {
            log.add("up " + peer.getPort());
            up.complete(peer);
        }

        @Override
        public void down(InetSocketAddress peer) {
            log.add("down " + peer.getPort());
            down.complete(peer);
        }
    }

    /** The real loops and the provider each must pick; io_uring must not skip where it is required. */
    static Stream<Arguments> realLoops() {
        return Stream.of(Arguments.of("selector", "ReadinessHeartbeatProvider"),
                Arguments.of("completion", "UringHeartbeatProvider"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realLoops")
    void peersGoUpAndDownOverRealUdp(String kind, String provider) throws Exception {
        EventLoopProvider loops = EventLoops.providers().stream().filter(p -> p.name().equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + kind + "' loop on the test module path"));
        Availability availability = EventLoops.availability(loops);
        if (!availability.isAvailable()) {
            assertThat("io_uring is required here but " + availability,
                    System.getProperty("loopwire.require", "").contains("io_uring"), is(false));
            Assumptions.abort(kind + " loop unavailable: " + availability.reason());
        }
        try (EventLoop loop = EventLoops.open(kind)) {
            Events eventsA = new Events();
            Presence a = Heartbeat.open(ANY_LOOPBACK_PORT, Duration.ofMillis(20), eventsA, loop)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Presence b = Heartbeat.open(ANY_LOOPBACK_PORT, Duration.ofMillis(20), new Events(), loop)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            a.watch(b.localAddress());
            b.watch(a.localAddress());

            assertThat(eventsA.up.get(10, TimeUnit.SECONDS), is(b.localAddress()));
            assertThat(a.up(), contains(b.localAddress()));
            b.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(eventsA.down.get(10, TimeUnit.SECONDS), is(b.localAddress()));
            assertThat(a.up().isEmpty(), is(true));
            a.close().toCompletableFuture().get(10, TimeUnit.SECONDS);

            Explanation e = Transports.explain(loop, Heartbeat.OPEN);
            assertThat(e.chosen().orElseThrow().name(), is(provider));
        }
    }

    @Test
    void theUdpProviderIsDeterministicOnTheSimulatedLoop() throws Exception {
        try (SimLoop loop = SimLoop.open()) {
            Events eventsA = new Events();
            Presence a = Heartbeat.open(new InetSocketAddress("127.0.0.1", 5000), Duration.ofSeconds(1), eventsA, loop)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Presence b = Heartbeat.open(new InetSocketAddress("127.0.0.2", 5000), Duration.ofSeconds(1), new Events(),
                    loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
            a.watch(b.localAddress());
            b.watch(a.localAddress());

            loop.advance(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
            assertThat(a.up(), contains(b.localAddress()));
            assertThat(a.beatsSent(), is(10L));
            assertThat(a.beatsReceived(), is(10L));
            b.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            loop.advance(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);

            // Beats at t=1..10 s keep b up; silent ticks at 11, 12, 13 s make it down on the third.
            assertThat(eventsA.log, contains("up 5000", "down 5000"));
            assertThat(Transports.explain(loop, Heartbeat.OPEN).chosen().orElseThrow().name(),
                    is("UdpHeartbeatProvider"));
            a.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void strangersBeatsAreIgnoredAndCounted() throws Exception {
        try (SimLoop loop = SimLoop.open()) {
            Events events = new Events();
            Presence a = Heartbeat.open(new InetSocketAddress("127.0.0.1", 5000), Duration.ofSeconds(1), events, loop)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Presence stranger = Heartbeat.open(new InetSocketAddress("127.0.0.9", 5000), Duration.ofSeconds(1),
                    new Events(), loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
            stranger.watch(a.localAddress());

            loop.advance(Duration.ofSeconds(3)).get(10, TimeUnit.SECONDS);

            assertThat(a.ignored(), is(3L));
            assertThat(a.up().isEmpty(), is(true));
            assertThat(events.log.isEmpty(), is(true));
        }
    }

    @Test
    void badArgumentsNameTheValue() throws Exception {
        try (SimLoop loop = SimLoop.open()) {
            Presence p = Heartbeat.open(new InetSocketAddress("127.0.0.1", 5000), Duration.ofSeconds(1), new Events(), loop)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            var peer = assertThrows(IllegalArgumentException.class, () -> p.watch(new InetSocketAddress("127.0.0.2", 0)));
            assertThat(peer.getMessage(), is("Heartbeat peer address '/127.0.0.2:0' must be resolved and have a port"
                    + " from 1 to 65535"));
            var interval = assertThrows(IllegalArgumentException.class, () ->
                    Heartbeat.open(ANY_LOOPBACK_PORT, Duration.ZERO, new Events(), loop));
            assertThat(interval.getMessage(), is("Heartbeat interval 'PT0S' is out of range; use 1 ms to 1 h"));
            var address = assertThrows(IllegalArgumentException.class, () -> Heartbeat.open(
                    InetSocketAddress.createUnresolved("nowhere.invalid", 1), Duration.ofSeconds(1), new Events(), loop));
            assertThat(address.getMessage(), is("Heartbeat local address 'nowhere.invalid/<unresolved>:1' is"
                    + " unresolved; resolve it first (for example new InetSocketAddress(\"127.0.0.1\", port))"));
        }
    }
}
