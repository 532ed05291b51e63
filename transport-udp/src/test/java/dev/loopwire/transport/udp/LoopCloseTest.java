// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.V4;
import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A loop closed under open endpoints (issue #11, item 3): each endpoint's close hook flushes
 * what it accepted, closes its socket and calls {@code onClose}. Before the hook, {@code onClose}
 * never ran when the loop closed first ("close endpoints before their loop" was the rule).
 */
class LoopCloseTest {

    private static final int ENDPOINTS = 16;
    // More than the 256 send slots of an io_uring socket, so some wait in the endpoint's queue;
    // few enough (300 x ~800 B of kernel memory) for each peer's receive buffer.
    private static final int PER_ENDPOINT = 300;

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Counts what each callback reported, per endpoint. */
    private static final class Counting implements DatagramHandler {
        final ConcurrentHashMap<DatagramEndpoint, AtomicInteger> closes = new ConcurrentHashMap<>();
        final AtomicInteger reportedUnsent = new AtomicInteger();
        final List<Throwable> otherErrors = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        }

        @Override
        public void onError(DatagramEndpoint endpoint, Throwable error) {
            if (error instanceof EndpointClosedException) {
                reportedUnsent.addAndGet(Integer.parseInt(error.getMessage().replaceAll("^(\\d+) .*", "$1")));
            } else {
                otherErrors.add(error);
            }
        }

        @Override
        public void onClose(DatagramEndpoint endpoint) {
            closes.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static void warmUp(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            await(await(Udp.bind(V4, new Counting(), loop)).close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void aLoopClosedUnderSixteenEndpointsWithQueuedDatagramsFlushesClosesAndCallsOnCloseOnce(
            Supplier<EventLoop> loops) throws Exception {
        warmUp(loops);
        int fdsBefore = openFds();
        List<DatagramChannel> peers = new ArrayList<>();
        Counting handler = new Counting();
        List<DatagramEndpoint> endpoints = new ArrayList<>();
        EventLoop loop = loops.get();
        try {
            for (int i = 0; i < ENDPOINTS; i++) {
                DatagramChannel peer = DatagramChannel.open().bind(V4);
                peer.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                peer.configureBlocking(false);
                peers.add(peer);
                endpoints.add(await(Udp.bind(V4, handler, loop)));
            }
            CompletableFuture<Integer> accepted = new CompletableFuture<>();
            loop.execute(() -> {
                int count = 0;
                ByteBuffer out = ByteBuffer.allocate(8);
                try {
                    for (int i = 0; i < ENDPOINTS; i++) {
                        InetSocketAddress to = (InetSocketAddress) peers.get(i).getLocalAddress();
                        for (int n = 0; n < PER_ENDPOINT; n++) {
                            if (endpoints.get(i).send(out.clear().putLong(n).flip(), to)) {
                                count++;
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    accepted.completeExceptionally(e);
                    return;
                }
                accepted.complete(count);
                loop.close(); // from the loop thread: the hooks run after this task
            });
            int sent = accepted.get(10, SECONDS);
            loop.close();
            assertThat(handler.otherErrors.toString(), handler.otherErrors.isEmpty(), is(true));
            int received = 0;
            ByteBuffer in = ByteBuffer.allocate(16);
            for (DatagramChannel peer : peers) {
                while (peer.receive(in.clear()) != null) {
                    received++;
                }
            }
            assertThat("received " + received + " + reported unsent " + handler.reportedUnsent,
                    received + handler.reportedUnsent.get(), is(sent));
            assertThat(sent, is(ENDPOINTS * PER_ENDPOINT));
            for (DatagramEndpoint endpoint : endpoints) {
                assertThat(endpoint + " onClose calls", handler.closes.getOrDefault(endpoint, new AtomicInteger()).get(),
                        is(1));
                assertThat(endpoint.isClosed(), is(true));
                await(endpoint.close()); // already closed: completes, calls nothing more
            }
            assertThat(handler.closes.values().stream().mapToInt(AtomicInteger::get).sum(), is(ENDPOINTS));
        } finally {
            loop.close();
            for (DatagramChannel peer : peers) {
                peer.close();
            }
        }
        assertThat("open fds", openFds(), is(fdsBefore));
    }
}
