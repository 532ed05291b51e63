// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.SoakTest.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks on UDP's lock-free send queue through {@code DatagramEndpoint.send} from other threads:
 * its two bounds to the byte and the datagram, the largest datagrams over IPv4 and IPv6,
 * writability events always paired, 8 senders racing the loop's drain and the endpoint's close
 * (nothing accepted lost, every refusal typed).
 */
class AttackSendQueueTest {

    /** Records writability events in order, and what was reported to onError. */
    static final class Writability implements DatagramHandler {
        final List<Boolean> events = new CopyOnWriteArrayList<>();
        final AtomicInteger errors = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        }

        @Override
        public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
            events.add(writable);
        }

        @Override
        public void onError(DatagramEndpoint endpoint, Throwable error) {
            errors.incrementAndGet();
        }

        @Override
        public void onClose(DatagramEndpoint endpoint) {
            closed.countDown();
        }
    }

    /** Blocks the loop thread until the returned latch is counted down: nothing is drained meanwhile. */
    static CountDownLatch block(EventLoop loop) throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS), is(true));
        return release;
    }

    /** Receives on a plain socket until {@code expected} datagrams came or 2 s passed without one. */
    static List<ByteBuffer> receive(DatagramChannel rx, int expected, int capacity) throws Exception {
        List<ByteBuffer> got = new ArrayList<>();
        rx.configureBlocking(false);
        long quietSince = System.nanoTime();
        while (got.size() < expected && System.nanoTime() - quietSince < 2_000_000_000L) {
            ByteBuffer b = ByteBuffer.allocate(capacity);
            if (rx.receive(b) != null) {
                got.add(b.flip());
                quietSince = System.nanoTime();
            } else {
                Thread.sleep(1);
            }
        }
        return got;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(AttackSupport.KINDS)
    void theBoundsHoldToTheByteAndTheDatagramAndWritabilityComesBackOnce(String kind) throws Exception {
        EventLoop loop = AttackSupport.open(kind);
        try (DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            // Bytes bound: 100-byte datagrams at most, 250 bytes queued at most.
            Writability h = new Writability();
            UdpOptions bytes = UdpOptions.builder().maxDatagramSize(100).sendQueueBytes(250).sendQueueDatagrams(1_000)
                    .build();
            DatagramEndpoint e = await(Udp.bind(new InetSocketAddress("127.0.0.1", 0), h, bytes, loop));
            CountDownLatch release = block(loop);
            List<Boolean> accepted = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                accepted.add(e.send(ByteBuffer.wrap(new byte[50]), to));
            }
            assertThat("250 bytes fit exactly, 50 at a time", accepted, is(List.of(true, true, true, true, true)));
            assertThat("no room left for a datagram of the maximum size", e.isWritable(), is(false));
            assertThat("one byte more is refused", e.send(ByteBuffer.wrap(new byte[1]), to), is(false));
            assertThat("a zero-length datagram takes no bytes: accepted",
                    e.send(ByteBuffer.allocate(0), to), is(true));
            release.countDown();
            assertThat(receive(rx, 6, 200).size(), is(6));
            assertThat(AttackSupport.await(() -> h.events.size() == 2), is(true));
            assertThat("unwritable, then writable, each once", h.events, is(List.of(false, true)));
            assertThat(e.isWritable(), is(true));
            await(e.close());
            assertThat(h.errors.get(), is(0));

            // Datagram bound: 3 datagrams at most.
            Writability h3 = new Writability();
            UdpOptions three = UdpOptions.builder().sendQueueDatagrams(3).build();
            DatagramEndpoint e3 = await(Udp.bind(new InetSocketAddress("127.0.0.1", 0), h3, three, loop));
            release = block(loop);
            for (int i = 0; i < 3; i++) {
                assertThat("datagram " + i, e3.send(ByteBuffer.wrap(new byte[] {(byte) i}), to), is(true));
            }
            assertThat(e3.isWritable(), is(false));
            assertThat(e3.send(ByteBuffer.wrap(new byte[] {9}), to), is(false));
            release.countDown();
            assertThat(receive(rx, 3, 16).size(), is(3));
            assertThat(AttackSupport.await(() -> h3.events.size() == 2), is(true));
            assertThat(h3.events, is(List.of(false, true)));
            await(e3.close());
        } finally {
            closeBounded(loop);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(AttackSupport.KINDS)
    void theLargestDatagramsOverIpv4AndIpv6QueueExactlyAndArriveWhole(String kind) throws Exception {
        EventLoop loop = AttackSupport.open(kind);
        try {
            int[][] cases = {{4, 65_507}, {6, 65_527}};
            for (int[] c : cases) {
                String host = c[0] == 4 ? "127.0.0.1" : "::1";
                int max = c[1];
                try (DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress(host, 0))) {
                    rx.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                    InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
                    Writability h = new Writability();
                    UdpOptions o = UdpOptions.builder().maxDatagramSize(max).sendQueueBytes(2 * max).build();
                    DatagramEndpoint e = await(Udp.bind(new InetSocketAddress(host, 0), h, o, loop));
                    CountDownLatch release = block(loop);
                    byte[] payload = new byte[max];
                    payload[0] = 1;
                    payload[max - 1] = 2;
                    assertThat(host, e.send(ByteBuffer.wrap(payload), to), is(true));
                    assertThat(host, e.send(ByteBuffer.wrap(payload), to), is(true));
                    assertThat(host + ": the third does not fit", e.send(ByteBuffer.wrap(payload), to), is(false));
                    release.countDown();
                    List<ByteBuffer> got = receive(rx, 2, max + 1);
                    assertThat(host, got.size(), is(2));
                    for (ByteBuffer b : got) {
                        assertThat(host, b.remaining(), is(max));
                        assertThat(host, b.get(max - 1), is((byte) 2));
                    }
                    assertThat(AttackSupport.await(() -> h.events.size() == 2), is(true));
                    assertThat(host, h.events, is(List.of(false, true)));
                    await(e.close());
                }
            }
        } finally {
            closeBounded(loop);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(AttackSupport.KINDS)
    void eightSendersRacingTheDrainAndTheCloseLoseNothingAcceptedAndAreRefusedTyped(String kind) throws Exception {
        EventLoop loop = AttackSupport.open(kind);
        int threads = 8;
        int perThread = 1_000_000;
        try (DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            for (int round = 0; round < 5; round++) {
                Writability h = new Writability();
                UdpOptions o = UdpOptions.builder().maxDatagramSize(64).sendQueueBytes(64 * 32).sendQueueDatagrams(32)
                        .build();
                DatagramEndpoint e = await(Udp.bind(new InetSocketAddress("127.0.0.1", 0), h, o, loop));
                AtomicLong accepted = new AtomicLong();
                AtomicLong attempts = new AtomicLong();
                AtomicLong refusedFull = new AtomicLong();
                AtomicLong refusedClosed = new AtomicLong();
                List<Throwable> wrong = new CopyOnWriteArrayList<>();
                CyclicBarrier start = new CyclicBarrier(threads + 1);
                List<Thread> senders = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Thread s = new Thread(() -> {
                        try {
                            start.await(10, TimeUnit.SECONDS);
                            // Until the close refuses it (bounded): every thread meets the close.
                            for (int i = 0; i < perThread; i++) {
                                attempts.incrementAndGet();
                                try {
                                    if (e.send(ByteBuffer.wrap(new byte[16]), to)) {
                                        accepted.incrementAndGet();
                                    } else {
                                        refusedFull.incrementAndGet();
                                        Thread.yield();
                                    }
                                } catch (EndpointClosedException closed) {
                                    refusedClosed.incrementAndGet();
                                    break;
                                }
                            }
                        } catch (Throwable x) {
                            wrong.add(x);
                        }
                    });
                    s.start();
                    senders.add(s);
                }
                Proc.UdpDrops before = Proc.UdpDrops.now();
                start.await(10, TimeUnit.SECONDS);
                // Close while the senders are at it (after some have got in).
                while (accepted.get() < 200 * (round + 1) && senders.stream().anyMatch(Thread::isAlive)) {
                    Thread.onSpinWait();
                }
                CompletableFuture<Void> closing = e.close().toCompletableFuture();
                for (Thread s : senders) {
                    s.join(20_000);
                }
                closing.get(15, TimeUnit.SECONDS);
                assertThat(h.closed.await(10, TimeUnit.SECONDS), is(true));
                assertThat(wrong.toString(), wrong.isEmpty(), is(true));
                assertThrows(EndpointClosedException.class, () -> e.send(ByteBuffer.wrap(new byte[1]), to));
                int received = receive(rx, (int) accepted.get(), 64).size();
                long kernel = Proc.UdpDrops.now().since(before).dropped();
                long lost = accepted.get() - received - h.errors.get();
                String what = kind + " round " + round + ": accepted " + accepted + ", received " + received
                        + ", onError " + h.errors + ", refused full " + refusedFull + ", refused closed " + refusedClosed
                        + ", kernel drops (machine-wide) " + kernel;
                System.out.println("AttackSendQueueTest " + what);
                assertThat(what, lost, lessThanOrEqualTo(kernel));
                assertThat(what, received + h.errors.get() <= accepted.get(), is(true));
                assertThat(what, accepted.get() + refusedFull.get() + refusedClosed.get(), is(attempts.get()));
                assertThat("every sender met the close, typed: " + what, refusedClosed.get(), is((long) threads));
                // Writability events alternate, starting with unwritable, and the last is writable
                // (an endpoint emptied by its close) or the endpoint closed while unwritable.
                List<Boolean> ev = h.events;
                for (int i = 0; i < ev.size(); i++) {
                    assertThat(what + " event " + i + " of " + ev, ev.get(i), is(i % 2 == 1));
                }
            }
        } finally {
            closeBounded(loop);
        }
    }
    @ParameterizedTest(name = "{0}")
    @MethodSource(AttackSupport.KINDS)
    void absurdBoundsTheLargestAndTheSmallestHoldToTheLetter(String kind) throws Exception {
        EventLoop loop = AttackSupport.open(kind);
        try (DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            // Every bound at Integer.MAX_VALUE: the packed counters must not overflow into each other.
            Writability huge = new Writability();
            UdpOptions max = UdpOptions.builder().sendQueueBytes(Integer.MAX_VALUE)
                    .sendQueueDatagrams(Integer.MAX_VALUE).build();
            DatagramEndpoint e = await(Udp.bind(new InetSocketAddress("127.0.0.1", 0), huge, max, loop));
            CountDownLatch release = block(loop);
            for (int i = 0; i < 100; i++) {
                assertThat("datagram " + i, e.send(ByteBuffer.wrap(new byte[1_000]), to), is(true));
            }
            assertThat(e.isWritable(), is(true));
            release.countDown();
            assertThat(receive(rx, 100, 2_000).size(), is(100));
            assertThat(huge.events, is(List.of()));
            await(e.close());
            // The smallest: one byte, one datagram.
            Writability tiny = new Writability();
            UdpOptions one = UdpOptions.builder().maxDatagramSize(1).sendQueueBytes(1).sendQueueDatagrams(1).build();
            DatagramEndpoint e1 = await(Udp.bind(new InetSocketAddress("127.0.0.1", 0), tiny, one, loop));
            release = block(loop);
            assertThat(e1.send(ByteBuffer.wrap(new byte[] {5}), to), is(true));
            assertThat(e1.isWritable(), is(false));
            assertThat(e1.send(ByteBuffer.wrap(new byte[] {6}), to), is(false));
            release.countDown();
            List<ByteBuffer> got = receive(rx, 1, 16);
            assertThat(got.size(), is(1));
            assertThat(got.get(0).get(0), is((byte) 5));
            assertThat(AttackSupport.await(() -> tiny.events.size() == 2), is(true));
            assertThat(tiny.events, is(List.of(false, true)));
            await(e1.close());
        } finally {
            closeBounded(loop);
        }
    }
}
