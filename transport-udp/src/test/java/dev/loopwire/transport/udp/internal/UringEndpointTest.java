// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.RequireIoUring;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** What is particular to the io_uring endpoint: its queue behind the port's send slots. */
class UringEndpointTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);

    private static DatagramEndpoint open(EventLoop loop, InetSocketAddress remote, DatagramHandler handler,
            UdpOptions options) throws Exception {
        return new UringUdpProvider().create(loop).open(V4, remote, handler, options)
                .toCompletableFuture().get(10, SECONDS);
    }

    @Test
    void moreSendsInOneLoopTurnThanSendSlotsWaitInTheQueueAndAllArriveInOrder() throws Exception {
        int count = 600; // more than the port's 256 send slots per socket
        try (EventLoop loop = RequireIoUring.open()) {
            LinkedBlockingQueue<Integer> got = new LinkedBlockingQueue<>();
            DatagramEndpoint receiver = open(loop, null, (ep, data, from) -> got.add(data.getInt()),
                    UdpOptions.builder().receiveBufferSize(4 << 20).build());
            List<Boolean> writability = new ArrayList<>();
            DatagramEndpoint sender = open(loop, null, new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress from) {
                }

                @Override
                public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
                    writability.add(writable);
                }
            }, UdpOptions.defaults());
            CompletableFuture<String> afterSends = new CompletableFuture<>();
            loop.execute(() -> {
                ByteBuffer out = ByteBuffer.allocate(4);
                for (int i = 0; i < count; i++) {
                    if (!sender.send(out.clear().putInt(i).flip(), receiver.localAddress())) {
                        afterSends.completeExceptionally(new AssertionError("refused datagram " + i));
                        return;
                    }
                }
                afterSends.complete(sender.toString());
            });
            String state = afterSends.get(10, SECONDS);
            int queued = Integer.parseInt(state.replaceAll(".*queued=(\\d+).*", "$1"));
            assertThat(state, queued, greaterThan(0));
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Integer n = got.poll(10, SECONDS);
                assertThat("datagram " + i + " of " + count, n != null, is(true));
                order.add(n);
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add(i);
            }
            assertThat(order, is(expected));
            sender.close().toCompletableFuture().get(10, SECONDS);
            assertThat(sender.toString(), is("udp[127.0.0.1:" + sender.localAddress().getPort() + " queued=0 closed]"));
            assertThat(writability.isEmpty(), is(true)); // 344 datagrams are far from the default bounds
            receiver.close().toCompletableFuture().get(10, SECONDS);
        }
    }

    @Test
    void closingTheLoopFirstLosesNoQueuedDatagramSilently() throws Exception {
        // The loop's close lets loop-thread work finish (EventLoop's close sequence): the queued
        // datagrams are flushed before the loop closes the socket, or reported if they cannot be.
        EventLoop loop = RequireIoUring.open();
        try (java.nio.channels.DatagramChannel peer = java.nio.channels.DatagramChannel.open().bind(V4)) {
            // 300 datagrams of ~830 bytes of kernel memory each overflow the default 208 KiB
            // receive buffer (exactly 256 fit) when they arrive before the reader drains it.
            peer.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
            LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
            DatagramEndpoint endpoint = open(loop, null, new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress from) {
                }

                @Override
                public void onError(DatagramEndpoint endpoint, Throwable error) {
                    errors.add(error);
                }
            }, UdpOptions.defaults());
            InetSocketAddress target = (InetSocketAddress) peer.getLocalAddress();
            int total = 300;
            java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
            Thread reader = new Thread(() -> {
                ByteBuffer in = ByteBuffer.allocate(16);
                try {
                    peer.socket().setSoTimeout(2_000);
                    java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[16], 16);
                    while (received.get() < total) {
                        peer.socket().receive(p);
                        received.incrementAndGet();
                    }
                } catch (java.io.IOException timeoutOrClosed) {
                    // nothing more is coming
                }
            });
            reader.start();
            CompletableFuture<Integer> queued = new CompletableFuture<>();
            loop.execute(() -> {
                // Fill every send slot so that the rest waits in the endpoint's queue.
                ByteBuffer out = ByteBuffer.allocate(1);
                for (int i = 0; i < total; i++) {
                    endpoint.send(out.clear(), target);
                }
                String state = endpoint.toString();
                queued.complete(Integer.parseInt(state.replaceAll(".*queued=(\\d+).*", "$1")));
                loop.close(); // from the loop thread: returns at once, the loop ends after this task
            });
            int waiting = queued.get(10, SECONDS);
            assertThat(waiting, greaterThan(0));
            loop.close();
            reader.join(15_000);
            int reported = 0;
            for (Throwable error : errors) {
                if (error instanceof EndpointClosedException) {
                    reported += Integer.parseInt(error.getMessage().replaceAll("^(\\d+) queued datagram.*", "$1"));
                }
            }
            assertThat("received " + received.get() + " + reported unsent " + reported, received.get() + reported,
                    is(total));
            assertThat(endpoint.isClosed(), is(true));
        } finally {
            loop.close();
        }
    }
}
