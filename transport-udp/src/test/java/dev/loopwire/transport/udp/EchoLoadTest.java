// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.V4;
import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
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
    @MethodSource(UdpTestSupport.LOOPS)
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
        WindowedClient client = new WindowedClient(echo.localAddress(), total, window, 8);
        DatagramEndpoint endpoint = await(Udp.bind(V4, client, loop));
        loop.execute(client::start);
        assertThat(client.done.get(60, SECONDS), is(total));
        // Every sequence number came back exactly once: the sum of 0..total-1.
        assertThat(client.checksum, is((long) total * (total - 1) / 2));
        assertThat(echoHandler.refused, is(0L));
        await(endpoint.close());
        await(echo.close());
    }
}
