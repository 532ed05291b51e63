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

/** What is particular to the completion endpoint: its queue behind the port's send slots. */
class CompletionEndpointTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);

    private static DatagramEndpoint open(EventLoop loop, InetSocketAddress remote, DatagramHandler handler,
            UdpOptions options) throws Exception {
        return new CompletionUdpProvider().create(loop).open(V4, remote, handler, options)
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
    void closingTheLoopFirstReportsQueuedDatagramsInsteadOfDroppingThemSilently() throws Exception {
        EventLoop loop = RequireIoUring.open();
        try {
            LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
            CompletableFuture<Boolean> closed = new CompletableFuture<>();
            DatagramEndpoint endpoint = open(loop, null, new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress from) {
                }

                @Override
                public void onError(DatagramEndpoint endpoint, Throwable error) {
                    errors.add(error);
                }

                @Override
                public void onClose(DatagramEndpoint endpoint) {
                    closed.complete(true);
                }
            }, UdpOptions.defaults());
            InetSocketAddress nowhere = new InetSocketAddress("127.0.0.1", 9); // discard; nothing listens
            CompletableFuture<Integer> queued = new CompletableFuture<>();
            loop.execute(() -> {
                // Fill every send slot so that the rest waits in the endpoint's queue.
                ByteBuffer out = ByteBuffer.allocate(1);
                for (int i = 0; i < 300; i++) {
                    endpoint.send(out.clear(), nowhere);
                }
                String state = endpoint.toString();
                queued.complete(Integer.parseInt(state.replaceAll(".*queued=(\\d+).*", "$1")));
                loop.close(); // from the loop thread: returns at once, the loop ends after this task
            });
            int waiting = queued.get(10, SECONDS);
            assertThat(waiting, greaterThan(0));
            loop.close();
            Throwable error;
            do {
                error = errors.poll(10, SECONDS);
            } while (error != null && !(error instanceof EndpointClosedException));
            assertThat(error instanceof EndpointClosedException, is(true));
            assertThat(error.getMessage(), is(waiting + " queued datagram(s) of endpoint udp[127.0.0.1:"
                    + endpoint.localAddress().getPort() + " queued=0 closed] were not sent: loop '" + loop.name()
                    + "' closed the socket first; close endpoints before their loop"));
            assertThat(endpoint.isClosed(), is(true));
            assertThat(closed.isDone(), is(false)); // onClose is for close(), as on every loop
        } finally {
            loop.close();
        }
    }
}
