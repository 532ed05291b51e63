// SPDX-License-Identifier: Apache-2.0
package com.example.simloop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.Timers;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.InvalidAddressException;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimLoopTest {

    private final SimLoop loop = SimLoop.open();

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void timersRunInVirtualTimeOrderOnlyWhenTimeIsAdvanced() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        Timers timers = loop.capability(Timers.class).orElseThrow();
        timers.schedule(Duration.ofSeconds(2), () -> ran.add("b@" + loop.now().toMillis()));
        timers.schedule(Duration.ofSeconds(1), () -> ran.add("a@" + loop.now().toMillis()));
        Timers.Timeout cancelled = timers.schedule(Duration.ofMillis(1500), () -> ran.add("cancelled"));
        assertThat(cancelled.cancel(), is(true));

        loop.advance(Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertThat(ran.isEmpty(), is(true));
        loop.advance(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);

        assertThat(ran, contains("a@1000", "b@2000"));
        assertThat(loop.now(), is(Duration.ofSeconds(5)));
    }

    @Test
    void theLoopsOwnUdpIsChosenBeforeAnyProvider() {
        Explanation e = Transports.explain(loop, Udp.BIND);

        Explanation.Candidate first = e.candidates().get(0);
        assertThat(first.source(), is(Explanation.Source.LOOP));
        assertThat(first.verdict(), is(Explanation.Verdict.CHOSEN));
        assertThat(first.name(), is("SimUdpBinder"));
        assertThat(e.chosen().orElseThrow().className(), is("com.example.simloop.internal.SimUdpBinder"));
        assertThat(e.toString(), containsString("the loop's own implementation"));
    }

    @Test
    void udpEndpointsExchangeDatagramsOnTheInMemoryNetwork() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        DatagramHandler echoWithBang = new DatagramHandler() {
            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                endpoint.send(ByteBuffer.allocate(data.remaining() + 1).put(data).put((byte) '!').flip(), sender);
            }
        };
        DatagramEndpoint server = Udp.bind(new InetSocketAddress("127.0.0.1", 7000), echoWithBang, loop)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        DatagramEndpoint client = Udp.bind(new InetSocketAddress("127.0.0.1", 0), (ep, data, sender) ->
                reply.complete(StandardCharsets.US_ASCII.decode(data) + " from " + sender.getPort()), loop)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        client.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), server.localAddress());

        assertThat(reply.get(10, TimeUnit.SECONDS), is("ping! from 7000"));
        assertThat(client.localAddress().getPort() >= 49_152, is(true));
        assertThat(loop.now(), is(Duration.ZERO));
        client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        server.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSecondBindOnTheSameAddressFailsWithTheAddress() throws Exception {
        DatagramHandler ignore = (ep, data, sender) -> { };
        Udp.bind(new InetSocketAddress("127.0.0.1", 7001), ignore, loop).toCompletableFuture().get(10, TimeUnit.SECONDS);

        var failed = Udp.bind(new InetSocketAddress("127.0.0.1", 7001), ignore, loop).toCompletableFuture();

        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
        assertThat(e.getCause().getMessage(),
                is("Address already in use on the simulated network: '/127.0.0.1:7001'"));
    }

    @Test
    void badSendsAreRefusedWithTheValueAndTheEndpointStaysUsable() throws Exception {
        CompletableFuture<Integer> got = new CompletableFuture<>();
        DatagramEndpoint e = Udp.bind(new InetSocketAddress("127.0.0.1", 7002), (ep, data, sender) ->
                got.complete(data.remaining()), loop).toCompletableFuture().get(10, TimeUnit.SECONDS);

        var tooLarge = assertThrows(DatagramTooLargeException.class,
                () -> e.send(ByteBuffer.allocate(65_508), e.localAddress()));
        var unresolved = assertThrows(InvalidAddressException.class,
                () -> e.send(ByteBuffer.allocate(1), InetSocketAddress.createUnresolved("nowhere.invalid", 9)));
        e.send(ByteBuffer.allocate(3), e.localAddress());

        assertThat(tooLarge.getMessage(), is("Datagram of '65508' bytes to '127.0.0.1:7002' exceeds the limit of"
                + " 65507 bytes (the UDP payload limit over IPv4); split the payload or send less"));
        assertThat(unresolved.getMessage(), is("Target 'nowhere.invalid:9' is unresolved; resolve the host first"
                + " (new InetSocketAddress(host, port) does)"));
        assertThat(got.get(10, TimeUnit.SECONDS), is(3));
        e.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        var closed = assertThrows(EndpointClosedException.class, () -> e.send(ByteBuffer.allocate(1), e.localAddress()));
        assertThat(closed.getMessage(), is("Endpoint '127.0.0.1:7002' is closed; open a new one"));
    }

    @Test
    void aDatagramToNobodyIsDroppedAndCounted() throws Exception {
        DatagramEndpoint e = Udp.bind(new InetSocketAddress("127.0.0.1", 0), (ep, data, sender) -> { }, loop)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        e.send(ByteBuffer.allocate(1), new InetSocketAddress("127.0.0.1", 9));
        loop.advance(Duration.ZERO).get(10, TimeUnit.SECONDS);

        assertThat(loop.dropped(), is(1L));
        e.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aClosedLoopRefusesWorkAndTime() {
        loop.close();
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.advance(Duration.ofSeconds(1)));
        assertThat(loop.toString(), containsString(" closed]"));
    }

    @Test
    void closingTheLoopSendsWhatItsEndpointsAcceptedThenClosesThemAndFreesTheirAddresses() throws Exception {
        SimLoop other = SimLoop.openSharing(loop); // the receiver lives on, on the same network
        try {
            List<String> got = new CopyOnWriteArrayList<>();
            CountDownLatch three = new CountDownLatch(3);
            DatagramEndpoint receiver = Udp.bind(new InetSocketAddress("127.0.0.1", 7003), (ep, data, sender) -> {
                got.add(StandardCharsets.US_ASCII.decode(data).toString());
                three.countDown();
            }, other).toCompletableFuture().get(10, TimeUnit.SECONDS);
            CompletableFuture<Boolean> closedOnLoopThread = new CompletableFuture<>();
            DatagramEndpoint sender = Udp.bind(new InetSocketAddress("127.0.0.1", 7004), new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress from) {
                }

                @Override
                public void onClose(DatagramEndpoint endpoint) {
                    closedOnLoopThread.complete(loop.inLoop());
                }
            }, loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                entered.countDown();
                await(release);
            });
            assertThat(entered.await(10, TimeUnit.SECONDS), is(true));
            for (int i = 0; i < 3; i++) { // the loop is busy: these wait in the send queue
                assertThat(sender.send(ByteBuffer.wrap(("d" + i).getBytes(StandardCharsets.US_ASCII)),
                        receiver.localAddress()), is(true));
            }
            CompletableFuture<Void> closing = CompletableFuture.runAsync(loop::close);
            release.countDown();
            closing.get(10, TimeUnit.SECONDS);

            assertThat(three.await(10, TimeUnit.SECONDS), is(true));
            assertThat(got, contains("d0", "d1", "d2"));
            assertThat(closedOnLoopThread.get(10, TimeUnit.SECONDS), is(true));
            assertThat(sender.isClosed(), is(true));
            sender.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            DatagramEndpoint rebound = Udp.bind(new InetSocketAddress("127.0.0.1", 7004), (ep, data, from) -> { },
                    other).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(rebound.localAddress().getPort(), is(7004));
        } finally {
            other.close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aSendRefusedByAFullLoopLeavesTheBufferAndTheEndpointAsTheyWere() throws Exception {
        try (SimLoop bounded = SimLoop.builder().maxPendingTasks(1).open()) {
            CompletableFuture<String> got = new CompletableFuture<>();
            DatagramEndpoint e = Udp.bind(new InetSocketAddress("127.0.0.1", 0), (ep, data, sender) ->
                    got.complete(StandardCharsets.US_ASCII.decode(data).toString()), bounded)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            bounded.execute(() -> {
                entered.countDown();
                await(release);
            });
            assertThat(entered.await(10, TimeUnit.SECONDS), is(true));
            CountDownLatch waitingTaskRan = new CountDownLatch(1);
            bounded.execute(waitingTaskRan::countDown); // the one task the bound allows now waits

            ByteBuffer data = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
            var refused = assertThrows(RejectedExecutionException.class, () -> e.send(data, e.localAddress()));

            assertThat(refused.getMessage(), containsString("already has 1 tasks waiting to run"));
            assertThat(data.position(), is(0));
            assertThat(e.isClosed(), is(false));
            release.countDown();
            assertThat(waitingTaskRan.await(10, TimeUnit.SECONDS), is(true));
            assertThat(e.send(data, e.localAddress()), is(true));
            assertThat(got.get(10, TimeUnit.SECONDS), is("hello"));
        }
    }

    @Test
    void anExceptionHandlerThatThrowsClosesTheLoopVisibly() throws Exception {
        SimLoop failing = SimLoop.builder().exceptionHandler(t -> {
            throw new IllegalStateException("the handler itself failed");
        }).open();
        try {
            CompletableFuture<Boolean> hookOnLoopThread = new CompletableFuture<>();
            failing.addCloseHook(() -> hookOnLoopThread.complete(failing.inLoop()));
            failing.execute(() -> {
                throw new IllegalArgumentException("thrown by a task");
            });

            assertThat(hookOnLoopThread.get(10, TimeUnit.SECONDS), is(true));
            assertThat(failing.isClosed(), is(true));
            assertThrows(RejectedExecutionException.class, () -> failing.execute(() -> { }));
        } finally {
            failing.close();
        }
    }

    @Test
    void aTaskBoundBelowOneIsRefusedWithTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> SimLoop.builder().maxPendingTasks(0));
        assertThat(e.getMessage(), containsString("maxPendingTasks '0' must be at least 1"));
    }

    @Test
    void negativeTimeIsRefusedWithTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> loop.advance(Duration.ofSeconds(-1)));
        assertThat(e.getMessage(), is("Cannot advance virtual time by 'PT-1S'; time only moves forward"));
    }
}
