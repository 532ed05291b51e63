// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A handler that keeps the buffer {@code onDatagram} lent it, against the javadoc, and reads and
 * sends it after the endpoint and then the loop closed (issue #10, item 4). The bytes may be
 * stale; the process must survive. Before the fix the completion loop's buffers viewed native
 * memory that close freed, and this test ended the JVM with SIGSEGV.
 */
class KeptBufferTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
    private static final int ROUNDS = 20;

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void aKeptReceiveBufferStaysReadableAndSendableAfterCloseAndGc(Supplier<EventLoop> loops) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            List<ByteBuffer> kept = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> got = new CompletableFuture<>();
            try (EventLoop loop = loops.get()) {
                DatagramEndpoint receiver = UdpTestSupport.await(Udp.bind(V4, (endpoint, data, sender) -> {
                    kept.add(data); // kept past the call, on purpose
                    if (kept.size() == 4) {
                        got.complete(null);
                    }
                }, loop));
                DatagramEndpoint sender = UdpTestSupport.await(Udp.bind(V4, (e, d, s) -> { }, loop));
                byte[] payload = new byte[1000];
                for (int i = 0; i < 4; i++) {
                    payload[0] = (byte) i;
                    sender.send(ByteBuffer.wrap(payload), receiver.localAddress());
                }
                got.get(10, SECONDS);
                UdpTestSupport.await(receiver.close());
                UdpTestSupport.await(sender.close());
            }
            System.gc();
            // The loop and its sockets are gone: read every kept buffer, and send it from a fresh loop.
            // (A provider may lend the same buffer for every datagram, so its limit is the last one's.)
            long sum = 0;
            for (ByteBuffer b : kept) {
                for (int i = 0; i < 1000; i++) {
                    sum += b.get(i);
                }
            }
            CountDownLatch arrived = new CountDownLatch(kept.size());
            try (EventLoop other = loops.get()) {
                DatagramEndpoint target = UdpTestSupport.await(Udp.bind(V4, (e, d, s) -> {
                    if (d.remaining() == 1000) {
                        arrived.countDown();
                    }
                }, other));
                DatagramEndpoint out = UdpTestSupport.await(Udp.bind(V4, (e, d, s) -> { }, other));
                for (ByteBuffer b : kept) {
                    assertThat(out.send(b.duplicate().clear().limit(1000), target.localAddress()), is(true));
                }
                assertThat("the kept buffers were sent", arrived.await(10, SECONDS), is(true));
                UdpTestSupport.await(out.close());
                UdpTestSupport.await(target.close());
            }
            assertThat(sum != Long.MIN_VALUE, is(true)); // the reads happened
        }
    }
}
