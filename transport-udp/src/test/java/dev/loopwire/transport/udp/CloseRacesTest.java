// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sends racing with {@code close()} of the endpoint and of its loop, on every loop: every send
 * after the loop closed is refused, every datagram accepted before {@code close()} is sent or
 * reported with its true cause (issue #10, items 5, 8 and 15).
 */
class CloseRacesTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
    private static final int SENDERS = 8;

    /** What onError reported as not sent: "N queued datagram(s) ..." counts N, anything else 1. */
    private static int notSent(Throwable error) {
        String message = String.valueOf(error.getMessage());
        int end = 0;
        while (end < message.length() && Character.isDigit(message.charAt(end))) {
            end++;
        }
        return end > 0 ? Integer.parseInt(message.substring(0, end)) : 1;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void everySendAfterTheLoopClosedIsRefusedFromEveryThread(Supplier<EventLoop> loops) throws Exception {
        for (int round = 0; round < 5; round++) {
            Recorder recorder = new Recorder();
            Recorder target = new Recorder();
            EventLoop sinkLoop = loops.get();
            EventLoop loop = loops.get();
            try (sinkLoop) {
                DatagramEndpoint sink = await(Udp.bind(V4, target, UdpOptions.builder()
                        .receiveBufferSize(4 << 20).build(), sinkLoop));
                DatagramEndpoint endpoint = await(Udp.bind(V4, recorder, loop));
                AtomicInteger accepted = new AtomicInteger();
                AtomicInteger acceptedAfterClose = new AtomicInteger();
                AtomicInteger refusedOtherwise = new AtomicInteger();
                CyclicBarrier start = new CyclicBarrier(SENDERS + 1);
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < SENDERS; t++) {
                    Thread thread = new Thread(() -> {
                        try {
                            start.await(10, SECONDS);
                            // Under load: sending while the loop closes, then some more after.
                            int after = 0;
                            for (int i = 0; i < 2_000 && after < 20; i++) {
                                boolean closedBefore = loop.isClosed();
                                try {
                                    if (endpoint.send(ByteBuffer.allocate(16), sink.localAddress())) {
                                        accepted.incrementAndGet();
                                        if (closedBefore) {
                                            acceptedAfterClose.incrementAndGet();
                                        }
                                    }
                                } catch (EndpointClosedException expected) {
                                    // refused: right once the loop closes
                                } catch (RuntimeException other) {
                                    refusedOtherwise.incrementAndGet();
                                }
                                if (closedBefore) {
                                    after++;
                                }
                            }
                        } catch (Exception e) {
                            refusedOtherwise.incrementAndGet();
                        }
                    });
                    thread.start();
                    threads.add(thread);
                }
                start.await(10, SECONDS);
                loop.close();
                for (Thread thread : threads) {
                    thread.join(SECONDS.toMillis(30));
                }
                assertThat("sends accepted after the loop closed", acceptedAfterClose.get(), is(0));
                assertThat(refusedOtherwise.get(), is(0));
                assertThat(endpoint.isClosed(), is(true));
                var refused = assertThrows(EndpointClosedException.class,
                        () -> endpoint.send(ByteBuffer.allocate(1), sink.localAddress()));
                assertThat(refused.getMessage(), containsString("its loop '" + loop.name() + "' is closed"));
                await(endpoint.close()); // completes although the loop is gone
                // Every accepted datagram arrived or was reported as not sent.
                int reported = 0;
                Throwable e;
                while ((e = recorder.errors.poll()) != null) {
                    assertThat(e, instanceOf(EndpointClosedException.class));
                    reported += notSent(e);
                }
                int arrived = 0;
                while (arrived + reported < accepted.get() && target.datagrams.poll(2, SECONDS) != null) {
                    arrived++;
                }
                assertThat("arrived " + arrived + " + reported " + reported + " of " + accepted + " accepted",
                        arrived + reported >= accepted.get(), is(true));
                await(sink.close());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void closeNeverLosesADatagramAcceptedDuringASlowWritabilityCallback(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get(); EventLoop sinkLoop = loops.get()) {
            Recorder target = new Recorder();
            DatagramEndpoint sink = await(Udp.bind(V4, target, UdpOptions.builder()
                    .receiveBufferSize(4 << 20).build(), sinkLoop));
            for (int round = 0; round < 10; round++) {
                Recorder recorder = new Recorder() {
                    @Override
                    public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
                        super.onWritabilityChanged(endpoint, writable);
                        if (writable) {
                            try {
                                Thread.sleep(3); // user code that takes a while: the window of the race
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                };
                DatagramEndpoint endpoint = await(Udp.bind(V4, recorder,
                        UdpOptions.builder().sendQueueDatagrams(4).build(), loop));
                AtomicInteger accepted = new AtomicInteger();
                CountDownLatch done = new CountDownLatch(SENDERS);
                for (int t = 0; t < SENDERS; t++) {
                    new Thread(() -> {
                        try {
                            for (int i = 0; i < 25; i++) {
                                while (!endpoint.send(ByteBuffer.allocate(8), sink.localAddress())) {
                                    Thread.onSpinWait();
                                }
                                accepted.incrementAndGet();
                            }
                        } finally {
                            done.countDown();
                        }
                    }).start();
                }
                assertThat(done.await(30, SECONDS), is(true));
                await(endpoint.close());
                int reported = 0;
                for (Throwable e : recorder.errors) {
                    assertThat("true cause: the loop did not close", e.getMessage(),
                            not(containsString("closed the socket first")));
                    reported += notSent(e);
                }
                int arrived = 0;
                while (arrived < accepted.get() - reported && target.datagrams.poll(2, SECONDS) != null) {
                    arrived++;
                }
                assertThat("round " + round + ": arrived " + arrived + ", reported " + reported + " of "
                        + accepted + " accepted", arrived + reported, is(accepted.get()));
                assertThat(target.datagrams.poll(50, MILLISECONDS) == null, is(true));
            }
            await(sink.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void aSecondCloseReturnsTheSameStage(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            DatagramEndpoint endpoint = await(Udp.bind(V4, new Recorder(), loop));
            var first = endpoint.close();
            assertThat(endpoint.close(), sameInstance(first));
            await(first);
            assertThat(endpoint.close(), sameInstance(first));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void anEndpointReportsClosedOnceItsLoopClosed(Supplier<EventLoop> loops) throws Exception {
        EventLoop loop = loops.get();
        DatagramEndpoint endpoint;
        try (loop) {
            endpoint = await(Udp.bind(V4, new Recorder(), loop));
            assertThat(endpoint.isClosed(), is(false));
        }
        assertThat(endpoint.isClosed(), is(true));
        await(endpoint.close());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void portUnreachableNamesThePeer(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            int port;
            try (var probe = java.nio.channels.DatagramChannel.open()) {
                probe.bind(V4);
                port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
            }
            InetSocketAddress nobody = new InetSocketAddress("127.0.0.1", port);
            Recorder recorder = new Recorder();
            DatagramEndpoint connected = await(Udp.connect(nobody, recorder, loop));
            Throwable error = null;
            for (int i = 0; i < 50 && error == null; i++) { // the kernel may rate-limit ICMP
                connected.send(Recorder.text("into the void"));
                error = recorder.errors.poll(200, MILLISECONDS);
            }
            assertThat(error, instanceOf(PortUnreachableException.class));
            assertThat(error.getMessage(), containsString("'127.0.0.1:" + port + "'"));
            await(connected.close());
        }
    }
}
