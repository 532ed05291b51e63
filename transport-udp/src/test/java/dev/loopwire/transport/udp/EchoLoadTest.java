package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.DatagramEndpointTest.V4;
import static dev.loopwire.transport.udp.DatagramEndpointTest.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many datagrams through a local echo: 100,000 on every loop in {@link LoopFactories}, and the
 * issue's count through {@link Udp} on the completion loop ({@code -Dloopwire.stress=full}:
 * 1,000,000; otherwise 200,000, so that CI stays fast).
 */
class EchoLoadTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource(DatagramEndpointTest.LOOPS)
    void hundredThousandDatagramsThroughAnEchoWithABoundedWindowLoseNone(Supplier<EventLoop> loops)
            throws Exception {
        try (EventLoop loop = loops.get()) {
            echo(loop, 100_000, 64);
        }
    }

    @Test
    void theIssuesCountThroughUdpOnTheCompletionLoopAtWindow128LosesNone() throws Exception {
        int total = "full".equals(System.getProperty("loopwire.stress")) ? 1_000_000 : 200_000;
        try (EventLoop loop = RequireIoUring.open()) {
            echo(loop, total, 128);
        }
    }

    private static void echo(EventLoop loop, int total, int window) throws Exception {
        EchoHandler echoHandler = new EchoHandler();
        DatagramEndpoint echo = await(Udp.bind(V4, echoHandler, loop));
        WindowedClient client = new WindowedClient(echo.localAddress(), total, window);
        DatagramEndpoint endpoint = await(Udp.bind(V4, client, loop));
        loop.execute(client::start);
        assertThat(client.done.get(60, SECONDS), is(total));
        // Every sequence number came back exactly once: the sum of 0..total-1.
        assertThat(client.checksum, is((long) total * (total - 1) / 2));
        assertThat(echoHandler.refused, is(0L));
        await(endpoint.close());
        await(echo.close());
    }

    /**
     * Keeps at most {@code window} datagrams in flight: one new datagram per reply, none
     * resent, so a single lost datagram stalls the test into its timeout. Loop thread only.
     */
    private static final class WindowedClient implements DatagramHandler {
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        private final InetSocketAddress echo;
        private final int total;
        private final int window;
        private final ByteBuffer out = ByteBuffer.allocate(8);
        private DatagramEndpoint self;
        private int sent;
        private int received;
        volatile long checksum;

        WindowedClient(InetSocketAddress echo, int total, int window) {
            this.echo = echo;
            this.total = total;
            this.window = window;
        }

        @Override
        public void onOpen(DatagramEndpoint endpoint) {
            self = endpoint;
        }

        void start() {
            for (int i = 0; i < window; i++) {
                sendNext();
            }
        }

        @Override
        public void onDatagram(ByteBuffer data, InetSocketAddress sender) {
            checksum += data.getLong();
            if (++received == total) {
                done.complete(received);
            } else if (sent < total) {
                sendNext();
            }
        }

        private void sendNext() {
            out.clear().putLong(sent++).flip();
            if (!self.send(out, echo)) {
                done.completeExceptionally(new AssertionError("send queue full after " + sent + " datagrams"));
            }
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }
    }
}
