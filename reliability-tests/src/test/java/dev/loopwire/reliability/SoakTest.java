// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Opening and closing, over and over and in awkward moments, on each loop kind: file
 * descriptors return to their baseline exactly, and no accepted send vanishes.
 *
 * <p>Sizes: 100,000 endpoint cycles and 1,000 loop cycles per loop kind with
 * {@code -Dloopwire.stress=full}, else 2,000 and 50.
 */
class SoakTest {

    static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, SECONDS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void endpointCyclesReturnEveryFileDescriptor(String kind) throws Exception {
        int cycles = Loops.size(100_000, 2_000);
        try (EventLoop loop = Loops.open(kind)) {
            Recorder peer = new Recorder();
            DatagramEndpoint target = await(Udp.bind(ANY, peer, loop));
            cycle(loop, target, 0); // warm-up: anything created once per loop exists from here on
            long fds = Proc.baselineFds(loop);
            long start = System.nanoTime();
            for (int i = 1; i <= cycles; i++) {
                cycle(loop, target, i);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long after = Proc.awaitFds(fds);
            System.out.printf("SOAK %s endpoints: cycles=%,d fds=%d->%d time=%.1f s%n", kind, cycles, fds, after, seconds);
            assertThat("open file descriptors after " + cycles + " endpoint cycles", after, is(fds));
            // Every hundredth cycle sent one datagram to the peer before closing: all arrived.
            int expected = cycles / 100 + 1;
            long deadline = System.nanoTime() + SECONDS.toNanos(10);
            while (peer.received.get() < expected && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(peer.received.get(), is(expected));
            await(target.close());
        }
    }

    private static void cycle(EventLoop loop, DatagramEndpoint target, int i) throws Exception {
        Recorder r = new Recorder();
        DatagramEndpoint e = await(Udp.bind(ANY, r, loop));
        if (i % 100 == 0) {
            assertThat(e.send(ByteBuffer.wrap(new byte[] {(byte) i}), target.localAddress()), is(true));
        }
        await(e.close());
        assertThat(r.closed.getCount(), is(0L));
        assertThat(r.errors.isEmpty(), is(true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void loopCyclesReturnEveryFileDescriptorAndThread(String kind) throws Exception {
        int cycles = Loops.size(1_000, 50);
        try (EventLoop first = Loops.open(kind)) {
            await(Udp.bind(ANY, new Recorder(), first).thenCompose(DatagramEndpoint::close));
        }
        long fds = Proc.baselineFds();
        int threads = Thread.activeCount();
        long start = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            try (EventLoop loop = Loops.open(kind)) {
                Recorder r = new Recorder();
                DatagramEndpoint a = await(Udp.bind(ANY, r, loop));
                DatagramEndpoint b = await(Udp.bind(ANY, new Recorder(), loop));
                assertThat(b.send(ByteBuffer.wrap(new byte[] {7}), a.localAddress()), is(true));
                assertThat(r.datagrams.poll(10, SECONDS), is(new byte[] {7}));
                await(b.close());
                await(a.close());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // The selector-thread adapter (UDP on the completion loop until it has its own provider)
        // ends its helper thread within a second of the loop's close: wait for it, then count.
        int threadsAfter = waitForThreads(threads);
        long after = Proc.awaitFds(fds);
        System.out.printf("SOAK %s loops: cycles=%,d fds=%d->%d threads=%d->%d time=%.1f s%n",
                kind, cycles, fds, after, threads, threadsAfter, seconds);
        assertThat("open file descriptors after " + cycles + " loop cycles", after, is(fds));
        assertThat("live threads after " + cycles + " loop cycles", threadsAfter, lessThanOrEqualTo(threads));
    }

    /** Thread counts settle a little after join returns (the JVM unregisters the thread late). */
    private static int waitForThreads(int baseline) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(3);
        int n = Thread.activeCount();
        while (n > baseline && System.nanoTime() < deadline) {
            Thread.sleep(10);
            n = Thread.activeCount();
        }
        return n;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void closingALoopWithEndpointsOpenReleasesTheirSockets(String kind) throws Exception {
        long fds = Proc.baselineFds();
        List<DatagramEndpoint> endpoints = new ArrayList<>();
        EventLoop loop = Loops.open(kind);
        for (int i = 0; i < 16; i++) {
            endpoints.add(await(Udp.bind(ANY, new Recorder(), loop)));
        }
        assertThat(Proc.openFds(), greaterThan(fds));
        loop.close();
        assertThat("open file descriptors after closing the loop", Proc.awaitFds(fds), is(fds));
        // Sending on an endpoint whose loop is gone is refused with a typed exception, never
        // accepted and lost.
        DatagramEndpoint orphan = endpoints.get(0);
        Exception refused = assertThrows(RuntimeException.class,
                () -> orphan.send(ByteBuffer.wrap(new byte[] {1}), endpoints.get(1).localAddress()));
        assertThat(refused, instanceOf(EndpointClosedException.class));
        // Both providers name the loop: the remedy is a running loop, not just a new endpoint.
        assertThat(refused.getMessage(), is("Endpoint " + orphan + " cannot send: its loop '" + orphan.loop().name()
                + "' is closed; open a new endpoint on a running loop"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void anEndpointClosesItselfFromItsOwnCallbacks(String kind) throws Exception {
        try (EventLoop loop = Loops.open(kind)) {
            await(Udp.bind(ANY, new Recorder(), loop).thenCompose(DatagramEndpoint::close));
            long fds = Proc.baselineFds(loop);
            CompletableFuture<Void> closedFromCallback = new CompletableFuture<>();
            Recorder closer = new Recorder() {
                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                    super.onDatagram(endpoint, data, sender);
                    endpoint.close().whenComplete((v, t) -> {
                        if (t != null) {
                            closedFromCallback.completeExceptionally(t);
                        } else {
                            closedFromCallback.complete(null);
                        }
                    });
                }
            };
            DatagramEndpoint self = await(Udp.bind(ANY, closer, loop));
            DatagramEndpoint sender = await(Udp.bind(ANY, new Recorder(), loop));
            for (int i = 0; i < 3; i++) {
                sender.send(ByteBuffer.wrap(new byte[] {(byte) i}), self.localAddress());
            }
            closedFromCallback.get(10, SECONDS);
            assertThat(closer.closed.await(10, SECONDS), is(true));
            assertThat(self.isClosed(), is(true));
            // Closing from onOpen, too: the stage of bind still completes, then the endpoint closes.
            Recorder early = new Recorder() {
                @Override
                public void onOpen(DatagramEndpoint endpoint) {
                    super.onOpen(endpoint);
                    endpoint.close();
                }
            };
            DatagramEndpoint shortLived = await(Udp.bind(ANY, early, loop));
            assertThat(early.closed.await(10, SECONDS), is(true));
            assertThat(shortLived.isClosed(), is(true));
            await(sender.close());
            assertThat("no errors reported", closer.errors.isEmpty() && early.errors.isEmpty(), is(true));
            assertThat("open file descriptors", Proc.awaitFds(fds), is(fds));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void closingWithSendsQueuedSendsOrReportsEveryAcceptedDatagram(String kind) throws Exception {
        UdpOptions big = UdpOptions.builder().receiveBufferSize(4 << 20).build();
        try (EventLoop loop = Loops.open(kind); EventLoop peerLoop = Loops.open(kind)) {
            Recorder peer = new Recorder();
            DatagramEndpoint target = await(Udp.bind(ANY, peer, big, peerLoop));
            for (int round = 0; round < 5; round++) {
                Recorder senderEvents = new Recorder();
                DatagramEndpoint sender = await(Udp.bind(ANY, senderEvents, loop));
                Proc.UdpDrops before = Proc.UdpDrops.now();
                int before0 = peer.received.get();
                int accepted = 0;
                int refused = 0;
                ByteBuffer data = ByteBuffer.allocate(512);
                // From the test thread the datagrams are copied into the queue; fill it up.
                for (int i = 0; i < 4_000 && refused < 10; i++) {
                    data.clear();
                    if (sender.send(data, target.localAddress())) {
                        accepted++;
                    } else {
                        refused++;
                    }
                }
                await(sender.close());
                int errors = senderEvents.errors.size();
                long deadline = System.nanoTime() + SECONDS.toNanos(10);
                while (peer.received.get() - before0 + errors < accepted
                        && System.nanoTime() < deadline) {
                    long kernel = Proc.UdpDrops.now().since(before).dropped();
                    if (peer.received.get() - before0 + errors + kernel >= accepted) {
                        Thread.sleep(200); // the kernel accounts for the rest; let stragglers land
                        break;
                    }
                    TimeUnit.MILLISECONDS.sleep(10);
                }
                int arrived = peer.received.get() - before0;
                long kernel = Proc.UdpDrops.now().since(before).dropped();
                System.out.printf("SOAK %s close with queue: accepted=%d refused=%d arrived=%d reported=%d kernelDrops=%d%n",
                        kind, accepted, refused, arrived, errors, kernel);
                assertThat("accepted sends neither arrived, reported nor counted by the kernel",
                        accepted - arrived - errors, lessThanOrEqualTo((int) kernel));
                assertThrows(EndpointClosedException.class,
                        () -> sender.send(ByteBuffer.allocate(1), target.localAddress()));
            }
            await(target.close());
        }
    }
}
