// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.await;
import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.AttackSupport.get;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Attacks on the UDP promises through {@code Udp}, {@code DatagramEndpoint} and {@code DatagramHandler}. */
class AttackUdpTest {

    static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
    static final InetSocketAddress V6 = new InetSocketAddress("::1", 0);
    static final UdpOptions BIG = UdpOptions.builder().maxDatagramSize(UdpOptions.MAX_IPV6_PAYLOAD)
            .receiveBufferSize(1 << 20).build();

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void exactPayloadLimitsOnBothFamilies(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            for (InetSocketAddress family : List.of(V4, V6)) {
                int limit = family == V4 ? UdpOptions.MAX_IPV4_PAYLOAD : UdpOptions.MAX_IPV6_PAYLOAD;
                Recorder rx = new Recorder();
                DatagramEndpoint server = get(Udp.bind(family, rx, BIG, loop));
                Recorder txEvents = new Recorder();
                DatagramEndpoint client = get(Udp.bind(family, txEvents, BIG, loop));
                byte[] payload = new byte[limit];
                payload[0] = 1;
                payload[limit - 1] = 2;
                assertThat(family + ": the limit itself is sent", client.send(ByteBuffer.wrap(payload), server.localAddress()), is(true));
                byte[] got = rx.datagrams.poll(10, SECONDS);
                assertThat(family + ": the limit arrives whole", got, is(payload));
                ByteBuffer onePast = ByteBuffer.allocate(limit + 1);
                DatagramTooLargeException e = assertThrows(DatagramTooLargeException.class,
                        () -> client.send(onePast, server.localAddress()));
                assertThat(e.getMessage(), containsString("'" + (limit + 1) + "'"));
                assertThat(onePast.position(), is(0));
                assertThat(client.send(ByteBuffer.wrap(new byte[] {7}), server.localAddress()), is(true));
                assertThat(rx.datagrams.poll(10, SECONDS), is(new byte[] {7}));
                assertThat(family + " errors", rx.errors.isEmpty() && txEvents.errors.isEmpty(), is(true));
                get(client.close());
                get(server.close());
            }
        }
    }

    /** Throws {@code what} from the callback named {@code where}; records what reaches onError. */
    static final class Thrower extends Recorder {
        final String where;
        final Throwable what;
        final List<Throwable> onErrorSaw = new CopyOnWriteArrayList<>();
        final AtomicInteger closes = new AtomicInteger();

        Thrower(String where, Throwable what) {
            this.where = where;
            this.what = what;
        }

        @Override
        public void onOpen(DatagramEndpoint endpoint) {
            super.onOpen(endpoint);
            if (where.equals("onOpen")) {
                AttackLoopTest.sneaky(what);
            }
        }

        @Override
        public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
            super.onDatagram(endpoint, data, sender);
            if (where.equals("onDatagram")) {
                AttackLoopTest.sneaky(what);
            }
            if (where.equals("onError")) {
                throw new IllegalStateException("provoke onError");
            }
        }

        @Override
        public void onError(DatagramEndpoint endpoint, Throwable error) {
            onErrorSaw.add(error);
            if (where.equals("onError")) {
                AttackLoopTest.sneaky(what);
            }
        }

        @Override
        public void onClose(DatagramEndpoint endpoint) {
            closes.incrementAndGet();
            super.onClose(endpoint);
            if (where.equals("onClose")) {
                AttackLoopTest.sneaky(what);
            }
        }
    }

    static List<Throwable> errors() {
        return List.of(AttackSupport.realStackOverflow(), new OutOfMemoryError("user OOM"),
                new NoClassDefFoundError("user linkage"));
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void errorsFromEveryDatagramCallbackGoWhereTheJavadocSays(String kind) throws Exception {
        AttackSupport.Handled handled = new AttackSupport.Handled();
        EventLoop loop = AttackSupport.openWithHandler(kind, handled);
        try {
            DatagramEndpoint sender = get(Udp.bind(V4, new Recorder(), loop));
            for (Throwable t : errors()) {
                // onOpen: the stage fails with that throwable, onClose not called.
                Thrower open = new Thrower("onOpen", t);
                ExecutionException failed = assertThrows(ExecutionException.class, () -> get(Udp.bind(V4, open, loop)));
                assertThat("onOpen " + t, failed.getCause(), sameInstance(t));
                assertThat(open.closes.get(), is(0));

                // onDatagram: to onError, endpoint keeps receiving.
                Thrower data = new Thrower("onDatagram", t);
                DatagramEndpoint ep = get(Udp.bind(V4, data, loop));
                sender.send(ByteBuffer.wrap(new byte[] {1}), ep.localAddress());
                sender.send(ByteBuffer.wrap(new byte[] {2}), ep.localAddress());
                assertThat(data.datagrams.poll(10, SECONDS), is(new byte[] {1}));
                assertThat("still receiving after " + t, data.datagrams.poll(10, SECONDS), is(new byte[] {2}));
                assertThat(await(() -> data.onErrorSaw.size() >= 2), is(true));
                assertThat(data.onErrorSaw.get(0), sameInstance(t));
                get(ep.close());
                assertThat(data.closes.get(), is(1));

                // onError: to the loop's exception handler; the loop goes on.
                Thrower err = new Thrower("onError", t);
                DatagramEndpoint ep2 = get(Udp.bind(V4, err, loop));
                sender.send(ByteBuffer.wrap(new byte[] {3}), ep2.localAddress());
                assertThat("onError's " + t + " reached the loop handler", await(() -> handled.saw(t)), is(true));
                get(ep2.close());

                // onClose: to the loop's exception handler; close() still completes.
                handled.seen.clear();
                Thrower close = new Thrower("onClose", t);
                DatagramEndpoint ep4 = get(Udp.bind(V4, close, loop));
                get(ep4.close());
                assertThat("onClose's " + t + " reached the loop handler", await(() -> handled.saw(t)), is(true));
                assertThat(close.closes.get(), is(1));
                handled.seen.clear();
            }
            Recorder after = new Recorder();
            DatagramEndpoint ok = get(Udp.bind(V4, after, loop));
            sender.send(ByteBuffer.wrap(new byte[] {9}), ok.localAddress());
            assertThat(after.datagrams.poll(10, SECONDS), is(new byte[] {9}));
        } finally {
            closeBounded(loop);
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void buffersKeptPastTheirCallAreReadAndSentAfterCloseAndGc(String kind) throws Exception {
        List<ByteBuffer> kept = new CopyOnWriteArrayList<>();
        EventLoop loop = AttackSupport.open(kind);
        DatagramEndpoint rx = get(Udp.bind(V4, new DatagramHandler() {
            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                kept.add(data); // hostile: no copy
                kept.add(data.duplicate());
                kept.add(data.slice());
            }
        }, BIG, loop));
        DatagramEndpoint tx = get(Udp.bind(V4, new Recorder(), BIG, loop));
        for (int i = 0; i < 64; i++) {
            tx.send(ByteBuffer.wrap(new byte[i % 2 == 0 ? 100 : 60_000]), rx.localAddress());
        }
        await(() -> kept.size() >= 3 * 32);
        get(rx.close());
        get(tx.close());
        closeBounded(loop);
        for (int i = 0; i < 3; i++) {
            System.gc();
            byte[] junk = new byte[8 << 20]; // churn the heap so freed memory is reused
            junk[1] = 1;
        }
        long sum = 0;
        for (ByteBuffer b : kept) {
            ByteBuffer d = b.duplicate().clear();
            while (d.hasRemaining()) {
                sum += d.get();
            }
        }
        // And send them through a fresh loop.
        try (EventLoop other = AttackSupport.open(kind)) {
            Recorder sink = new Recorder();
            DatagramEndpoint s = get(Udp.bind(V4, sink, BIG, other));
            DatagramEndpoint t = get(Udp.bind(V4, new Recorder(), BIG, other));
            int sent = 0;
            for (ByteBuffer b : kept.subList(0, Math.min(30, kept.size()))) {
                ByteBuffer d = b.duplicate();
                d.position(0).limit(Math.min(d.capacity(), 1000));
                if (t.send(d, s.localAddress())) {
                    sent++;
                }
            }
            int want = sent;
            assertThat(await(() -> sink.received.get() == want), is(true));
            get(s.close());
            get(t.close());
        }
        assertThat("the JVM is still here (" + sum + ")", kept.isEmpty(), is(false));
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void aThousandEndpointsOpenedAndClosedLeaveNoFd(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            get(Udp.bind(V4, new Recorder(), loop).thenCompose(DatagramEndpoint::close)); // warm up
            get(Udp.bind(V6, new Recorder(), loop).thenCompose(DatagramEndpoint::close));
            long base = Proc.baselineFds(loop);
            java.util.Optional<dev.loopwire.loop.UringPort> port = loop.capability(dev.loopwire.loop.UringPort.class);
            long nativeBase = port.map(dev.loopwire.loop.UringPort::allocatedBytes).orElse(0L);
            AtomicInteger closes = new AtomicInteger();
            for (int i = 0; i < 1000; i++) {
                DatagramEndpoint ep = get(Udp.bind(i % 2 == 0 ? V4 : V6, new DatagramHandler() {
                    @Override
                    public void onDatagram(DatagramEndpoint e, ByteBuffer d, InetSocketAddress s) {
                    }

                    @Override
                    public void onClose(DatagramEndpoint e) {
                        closes.incrementAndGet();
                    }
                }, loop));
                get(ep.close());
            }
            assertThat(closes.get(), is(1000));
            assertThat("fds back to baseline", Proc.awaitFds(base), is(base));
            if (port.isPresent()) {
                assertThat("loop-allocated native bytes back to baseline",
                        await(() -> port.get().allocatedBytes() == nativeBase), is(true));
            }
        }
    }

    /** 100 echoing endpoints on one loop; onClose counted per endpoint. */
    static final class Many {
        final EventLoop loop;
        final Map<DatagramEndpoint, AtomicInteger> closes = new ConcurrentHashMap<>();
        final List<DatagramEndpoint> eps = new ArrayList<>();

        Many(String kind) throws Exception {
            loop = AttackSupport.open(kind);
            DatagramHandler h = new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint e, ByteBuffer d, InetSocketAddress s) {
                    e.send(d, s); // echo keeps traffic flowing while the loop closes
                }

                @Override
                public void onClose(DatagramEndpoint e) {
                    closes.computeIfAbsent(e, k -> new AtomicInteger()).incrementAndGet();
                }

                @Override
                public void onError(DatagramEndpoint e, Throwable t) {
                }
            };
            for (int i = 0; i < 100; i++) {
                eps.add(get(Udp.bind(V4, h, loop)));
            }
            for (int i = 0; i < 100; i += 2) {
                eps.get(i).send(ByteBuffer.wrap(new byte[] {1}), eps.get(i + 1).localAddress());
            }
        }

        int closedOnce() {
            return (int) eps.stream().filter(e -> closes.getOrDefault(e, new AtomicInteger()).get() == 1).count();
        }
    }

    /**
     * The lead's decision (loops tell what is registered on them that they close, through close
     * hooks, "so that an endpoint can flush what it accepted, close its socket and tell its
     * user"): once {@code loop.close()} returned, every endpoint's {@code onClose} ran once.
     */
    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void closingTheLoopUnderManyEndpointsCallsEachOnCloseOnce(String kind) throws Exception {
        long base = Proc.baselineFds();
        Many m = new Many(kind);
        closeBounded(m.loop);
        assertThat("endpoints told onClose once by the loop's close", m.closedOnce(), is(100));
        for (DatagramEndpoint e : m.eps) {
            assertThat(e.isClosed(), is(true));
            assertThrows(EndpointClosedException.class, () -> e.send(ByteBuffer.wrap(new byte[1]), e.localAddress()));
        }
        assertThat("fds back to baseline", Proc.awaitFds(base), is(base));
    }

    /**
     * DatagramEndpoint: after the loop closed, {@code close()} "still completes (running its last
     * callbacks on the caller's thread if the loop runs nothing more)"; DatagramHandler:
     * "onClose comes last, once".
     */
    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void closeAfterTheLoopClosedStillRunsOnCloseOnce(String kind) throws Exception {
        long base = Proc.baselineFds();
        Many m = new Many(kind);
        closeBounded(m.loop);
        for (DatagramEndpoint e : m.eps) {
            get(e.close());
        }
        assertThat("endpoints whose onClose ran exactly once after loop.close() then close()", m.closedOnce(), is(100));
        assertThat("fds back to baseline", Proc.awaitFds(base), is(base));
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void everyAcceptedDatagramArrivesOrIsReportedWhenCloseRacesSends(String kind) throws Exception {
        for (int round = 0; round < 10; round++) {
            EventLoop loop = AttackSupport.open(kind);
            EventLoop rxLoop = AttackSupport.open("selector");
            Recorder rx = new Recorder();
            DatagramEndpoint server = get(Udp.bind(V4, rx, UdpOptions.builder().receiveBufferSize(4 << 20).build(), rxLoop));
            AtomicLong reported = new AtomicLong();
            DatagramEndpoint client = get(Udp.bind(V4, new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint e, ByteBuffer d, InetSocketAddress s) {
                }

                @Override
                public void onError(DatagramEndpoint e, Throwable t) {
                    // One EndpointClosedException names how many queued datagrams were not sent.
                    java.util.regex.Matcher n = java.util.regex.Pattern.compile("^(\\d+) ").matcher(String.valueOf(t.getMessage()));
                    reported.addAndGet(n.find() ? Long.parseLong(n.group(1)) : 1);
                }
            }, loop));
            AtomicLong accepted = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                ByteBuffer b = ByteBuffer.allocate(32);
                for (int i = 0; i < 200; i++) {
                    b.clear();
                    try {
                        if (client.send(b, server.localAddress())) {
                            accepted.incrementAndGet();
                        }
                    } catch (EndpointClosedException e) {
                        return;
                    }
                }
            });
            go.countDown();
            Thread.sleep(round % 3);
            if (round % 2 == 0) {
                get(client.close());
            } else {
                closeBounded(loop);
                get(client.close());
            }
            sender.get(10, SECONDS);
            long want = accepted.get() - reported.get();
            await(() -> rx.received.get() >= want);
            Thread.sleep(50);
            Proc.UdpDrops drops = Proc.UdpDrops.now();
            assertThat("round " + round + " (" + (round % 2 == 0 ? "endpoint" : "loop") + " closed): accepted "
                    + accepted + ", reported " + reported + ", received " + rx.received + ", kernel " + drops,
                    (long) rx.received.get(), is(want));
            get(server.close());
            rxLoop.close();
            loop.close();
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void nullEverywhereIsRefusedByName(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            Recorder r = new Recorder();
            DatagramEndpoint ep = get(Udp.bind(V4, r, loop));
            ByteBuffer one = ByteBuffer.wrap(new byte[1]);
            assertThat(assertThrows(NullPointerException.class, () -> ep.send(null, ep.localAddress())).getMessage(), containsString("data"));
            assertThat(assertThrows(NullPointerException.class, () -> ep.send(one, null)).getMessage(), containsString("target"));
            assertThrows(NullPointerException.class, () -> Udp.bind(V4, null, loop));
            assertThrows(NullPointerException.class, () -> Udp.bind(V4, r, null, loop));
            assertThrows(NullPointerException.class, () -> Udp.bind(V4, r, (EventLoop) null));
            assertThrows(RuntimeException.class, () -> Udp.bind(null, r, loop));
            assertThrows(RuntimeException.class, () -> Udp.connect(null, r, loop));
            assertThrows(NullPointerException.class, () -> ep.join(null, null));
            assertThat(ep.send(ByteBuffer.wrap(new byte[] {5}), ep.localAddress()), is(true));
            assertThat(r.datagrams.poll(10, SECONDS), is(new byte[] {5}));
            get(ep.close());
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void extremeButLegalOptionValuesBindAndWork(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            UdpOptions huge = UdpOptions.builder().receiveBufferSize(Integer.MAX_VALUE).sendBufferSize(Integer.MAX_VALUE)
                    .sendQueueBytes(Integer.MAX_VALUE).sendQueueDatagrams(Integer.MAX_VALUE)
                    .readsPerEvent(Integer.MAX_VALUE).maxDatagramSize(1).build();
            Recorder r = new Recorder();
            DatagramEndpoint ep = get(Udp.bind(V4, r, huge, loop));
            assertThat(ep.send(ByteBuffer.wrap(new byte[] {5}), ep.localAddress()), is(true));
            assertThat(r.datagrams.poll(10, SECONDS), is(new byte[] {5}));
            assertThrows(DatagramTooLargeException.class, () -> ep.send(ByteBuffer.wrap(new byte[2]), ep.localAddress()));
            get(ep.close());
            for (Runnable bad : List.<Runnable>of(() -> UdpOptions.builder().receiveBufferSize(-1),
                    () -> UdpOptions.builder().sendQueueBytes(0), () -> UdpOptions.builder().sendQueueDatagrams(Integer.MIN_VALUE),
                    () -> UdpOptions.builder().maxDatagramSize(0), () -> UdpOptions.builder().maxDatagramSize(65_528),
                    () -> UdpOptions.builder().readsPerEvent(0), () -> UdpOptions.builder().multicastTtl(256))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
                assertThat(e.getMessage(), containsString("'"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void aSmallMaxDatagramSizeReportsAnOversizedIncomingDatagram(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            Recorder r = new Recorder();
            DatagramEndpoint small = get(Udp.bind(V4, r, UdpOptions.builder().maxDatagramSize(10).build(), loop));
            DatagramEndpoint tx = get(Udp.bind(V4, new Recorder(), loop));
            tx.send(ByteBuffer.wrap(new byte[11]), small.localAddress());
            tx.send(ByteBuffer.wrap(new byte[10]), small.localAddress());
            assertThat(r.datagrams.poll(10, SECONDS).length, is(10));
            assertThat("the oversized datagram is reported, not delivered truncated", await(() -> !r.errors.isEmpty()), is(true));
            assertThat(r.datagrams.isEmpty(), is(true));
            assertThat(r.received.get(), lessThanOrEqualTo(1));
            get(small.close());
            get(tx.close());
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void closeFromOnOpenAndFromOnDatagramCallsOnCloseOnceAndReleasesThePort(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            AtomicInteger closes = new AtomicInteger();
            DatagramEndpoint early = get(Udp.bind(V4, new DatagramHandler() {
                @Override
                public void onOpen(DatagramEndpoint e) {
                    e.close();
                    e.close();
                }

                @Override
                public void onDatagram(DatagramEndpoint e, ByteBuffer d, InetSocketAddress s) {
                }

                @Override
                public void onClose(DatagramEndpoint e) {
                    closes.incrementAndGet();
                }
            }, loop));
            get(early.close());
            assertThat("close from onOpen", closes.get(), is(1));
            assertThat(early.isClosed(), is(true));
            get(Udp.bind(early.localAddress(), new Recorder(), loop).thenCompose(DatagramEndpoint::close));

            AtomicInteger closes2 = new AtomicInteger();
            AtomicInteger data = new AtomicInteger();
            List<Boolean> sends = new CopyOnWriteArrayList<>();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            DatagramEndpoint ep = get(Udp.bind(V4, new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint e, ByteBuffer d, InetSocketAddress s) {
                    data.incrementAndGet();
                    try {
                        sends.add(e.send(d, s)); // accepted before close: must be flushed
                    } catch (RuntimeException refused) {
                        errors.add(refused);
                    }
                    e.close();
                }

                @Override
                public void onClose(DatagramEndpoint e) {
                    closes2.incrementAndGet();
                }

                @Override
                public void onError(DatagramEndpoint e, Throwable t) {
                    errors.add(t);
                }
            }, loop));
            Recorder peer = new Recorder();
            DatagramEndpoint tx = get(Udp.bind(V4, peer, loop));
            for (int i = 0; i < 5; i++) {
                tx.send(ByteBuffer.wrap(new byte[] {(byte) i}), ep.localAddress());
            }
            assertThat("the endpoint closed itself from onDatagram", await(ep::isClosed), is(true));
            get(ep.close());
            assertThat(closes2.get(), is(1));
            byte[] echoed = peer.datagrams.poll(5, SECONDS);
            assertThat("the echo sent before close() from onDatagram arrives: onDatagram calls " + data + ", send results "
                    + sends + ", errors " + errors, echoed != null || (!sends.contains(true) && !errors.isEmpty()), is(true));
            get(tx.close());
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void aConnectedEndpointHearsPortUnreachableAndStaysOpen(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            DatagramEndpoint gone = get(Udp.bind(V4, new Recorder(), loop));
            InetSocketAddress dead = gone.localAddress();
            get(gone.close());
            Recorder r = new Recorder();
            DatagramEndpoint ep = get(Udp.connect(dead, r, loop));
            for (int i = 0; i < 3; i++) {
                ep.send(ByteBuffer.wrap(new byte[] {1}));
                Thread.sleep(20);
            }
            assertThat("an ICMP error reaches onError", await(() -> !r.errors.isEmpty()), is(true));
            assertThat(r.errors.peek() instanceof java.net.PortUnreachableException, is(true));
            assertThat(ep.isClosed(), is(false));
            Recorder back = new Recorder();
            DatagramEndpoint revived = get(Udp.bind(dead, back, loop));
            assertThat(ep.send(ByteBuffer.wrap(new byte[] {2})), is(true));
            // A {1} still on its way when the port was bound again may arrive first (a loaded
            // machine delays the loop's sends): skip those, the {2} must come.
            byte[] got = back.datagrams.poll(10, SECONDS);
            while (got != null && java.util.Arrays.equals(got, new byte[] {1})) {
                got = back.datagrams.poll(10, SECONDS);
            }
            assertThat(got, is(new byte[] {2}));
            assertThrows(dev.loopwire.transport.udp.InvalidAddressException.class,
                    () -> ep.send(ByteBuffer.wrap(new byte[] {3}), new InetSocketAddress("127.0.0.1", 9)));
            get(ep.close());
            get(revived.close());
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void endpointCloseRacingLoopCloseCompletesAndCallsOnCloseAtMostOnce(String kind) throws Exception {
        // 8 rounds, for CI time; the 60-round race is transport-udp's EndpointAndLoopCloseRaceTest.
        for (int round = 0; round < 8; round++) {
            EventLoop loop = AttackSupport.open(kind);
            AtomicInteger closes = new AtomicInteger();
            List<String> threads = new CopyOnWriteArrayList<>();
            List<DatagramEndpoint> eps = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                eps.add(get(Udp.bind(V4, new DatagramHandler() {
                    @Override
                    public void onDatagram(DatagramEndpoint e, ByteBuffer d, InetSocketAddress s) {
                    }

                    @Override
                    public void onClose(DatagramEndpoint e) {
                        closes.incrementAndGet();
                        threads.add(Thread.currentThread().getName());
                    }

                    @Override
                    public void onError(DatagramEndpoint e, Throwable t) {
                    }
                }, loop)));
            }
            for (DatagramEndpoint e : eps) {
                e.send(ByteBuffer.allocate(1000), eps.get(0).localAddress());
            }
            java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(2);
            CompletableFuture<Void> closingEndpoints = CompletableFuture.runAsync(() -> {
                AttackTcpTest.barrier(go);
                for (DatagramEndpoint e : eps) {
                    e.close();
                }
            });
            CompletableFuture<Void> closingLoop = CompletableFuture.runAsync(() -> {
                AttackTcpTest.barrier(go);
                loop.close();
            });
            closingEndpoints.get(15, SECONDS);
            closingLoop.get(15, SECONDS);
            int afterRace = closes.get();
            for (DatagramEndpoint e : eps) {
                get(e.close());
            }
            assertThat("round " + round + ": onClose calls " + closes + " for 10 endpoints (" + afterRace
                    + " when both close calls returned) on threads " + threads, closes.get() <= 10, is(true));
            assertThat("round " + round + ": every endpoint whose close() was called got onClose", closes.get(), is(10));
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void writabilityUnderAFloodFromFourThreadsAlternatesAndNothingAcceptedIsLostSilently(String kind) throws Exception {
        EventLoop rxLoop = AttackSupport.open("selector");
        EventLoop loop = AttackSupport.open(kind);
        try {
            Recorder rx = new Recorder();
            DatagramEndpoint server = get(Udp.bind(V4, rx, UdpOptions.builder().receiveBufferSize(4 << 20).build(), rxLoop));
            List<Boolean> writability = new CopyOnWriteArrayList<>();
            AtomicLong reported = new AtomicLong();
            UdpOptions tiny = UdpOptions.builder().sendQueueDatagrams(4).sendQueueBytes(UdpOptions.MAX_IPV4_PAYLOAD)
                    .sendBufferSize(4096).build();
            DatagramEndpoint client = get(Udp.bind(V4, new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint e, ByteBuffer d, InetSocketAddress s) {
                }

                @Override
                public void onWritabilityChanged(DatagramEndpoint e, boolean writable) {
                    writability.add(writable);
                }

                @Override
                public void onError(DatagramEndpoint e, Throwable t) {
                    reported.incrementAndGet();
                }
            }, tiny, loop));
            AtomicLong accepted = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                senders.add(CompletableFuture.runAsync(() -> {
                    ByteBuffer b = ByteBuffer.allocate(1000);
                    for (int i = 0; i < 100; i++) {
                        b.clear();
                        if (client.send(b, server.localAddress())) {
                            accepted.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            for (CompletableFuture<Void> f : senders) {
                f.get(15, SECONDS);
            }
            await(() -> client.isWritable());
            Thread.sleep(50);
            assertThat("writability calls " + writability + " alternate, starting with false",
                    AttackTcpTest.alternates(writability), is(true));
            if (refused.get() > 0) {
                assertThat("a refusal was announced", writability.contains(false), is(true));
            }
            long want = accepted.get() - reported.get();
            await(() -> rx.received.get() >= want);
            Proc.UdpDrops drops = Proc.UdpDrops.now();
            assertThat("accepted " + accepted + ", reported " + reported + ", received " + rx.received + " (kernel " + drops + ")",
                    (long) rx.received.get() <= want, is(true));
            get(client.close());
            get(server.close());
        } finally {
            closeBounded(loop);
            closeBounded(rxLoop);
        }
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void badMulticastArgumentsAreTypedAndTheEndpointStaysUsable(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            Recorder r = new Recorder();
            DatagramEndpoint ep = get(Udp.bind(V4, r, loop));
            java.net.NetworkInterface lo = java.net.NetworkInterface.getByInetAddress(java.net.InetAddress.getLoopbackAddress());
            assertThrows(dev.loopwire.transport.udp.InvalidAddressException.class,
                    () -> ep.join(java.net.InetAddress.getByName("127.0.0.1"), lo));
            assertThrows(dev.loopwire.transport.udp.InvalidAddressException.class,
                    () -> ep.join(java.net.InetAddress.getByName("ff02::1"), lo));
            assertThrows(NullPointerException.class, () -> ep.join(java.net.InetAddress.getByName("239.1.2.3"), null));
            ep.leave(java.net.InetAddress.getByName("239.1.2.3"), lo); // not joined: no-op
            assertThat(ep.send(ByteBuffer.wrap(new byte[] {4}), ep.localAddress()), is(true));
            assertThat(r.datagrams.poll(10, SECONDS), is(new byte[] {4}));
            assertThat(r.errors.isEmpty(), is(true));
            get(ep.close());
        }
    }

    /** DatagramHandler: a throwing onOpen fails the stage "and the endpoint is closed and its socket released before the stage completes". */
    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void aThrowingOnOpenReleasesThePortBeforeTheStageFails(String kind) throws Exception {
        try (EventLoop loop = AttackSupport.open(kind)) {
            for (int round = 0; round < 20; round++) {
                java.util.concurrent.atomic.AtomicReference<InetSocketAddress> bound = new java.util.concurrent.atomic.AtomicReference<>();
                Error boom = new OutOfMemoryError("user OOM in onOpen " + round);
                CompletableFuture<DatagramEndpoint> stage = Udp.bind(V4, new DatagramHandler() {
                    @Override
                    public void onOpen(DatagramEndpoint e) {
                        bound.set(e.localAddress());
                        throw boom;
                    }

                    @Override
                    public void onDatagram(DatagramEndpoint e, ByteBuffer d, InetSocketAddress s) {
                    }
                }, loop).toCompletableFuture();
                ExecutionException failed = assertThrows(ExecutionException.class, () -> stage.get(10, SECONDS));
                assertThat(failed.getCause(), sameInstance(boom));
                // Released before the stage completed: the same port binds at once (no SO_REUSEADDR).
                DatagramEndpoint again = get(Udp.bind(bound.get(), new Recorder(), loop));
                get(again.close());
            }
        }
    }
}
