// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.V4;
import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How Udp.BIND resolves on a real completion loop, and the fallback through the adapter. */
class CompletionResolutionTest {

    private static final String COMPLETION_PROVIDER = "dev.loopwire.transport.udp.internal.UringUdpProvider";

    @AfterEach
    void forgetOverrides() {
        Transports.clearOverrides();
    }

    @Test
    void onACompletionLoopTheCompletionProviderIsChosenBeforeTheAdaptedReadinessProvider() {
        try (EventLoop loop = RequireIoUring.open()) {
            Explanation report = Transports.explain(loop, Udp.BIND);
            Explanation.Candidate chosen = report.chosen().orElseThrow();
            assertThat(chosen.className(), is(COMPLETION_PROVIDER));
            assertThat(chosen.source(), is(Explanation.Source.PROVIDER));
            Explanation.Candidate readiness = report.candidates().stream()
                    .filter(c -> c.name().equals("ReadinessUdpProvider")).findFirst().orElseThrow();
            assertThat(readiness.verdict() == Explanation.Verdict.CHOSEN, is(false));
            assertThat(report.toString(), report.candidates().indexOf(chosen) < report.candidates().indexOf(readiness),
                    is(true));
        }
    }

    @Test
    void withTheCompletionProviderDeniedTheReadinessProviderEchoesThroughTheAdapter() throws Exception {
        try (EventLoop loop = RequireIoUring.open()) {
            Transports.deny(COMPLETION_PROVIDER);
            Explanation.Candidate chosen = Transports.explain(loop, Udp.BIND).chosen().orElseThrow();
            assertThat(chosen.name(), is("ReadinessUdpProvider"));
            assertThat(chosen.source(), is(Explanation.Source.ADAPTED_PROVIDER));

            DatagramEndpoint echo = await(Udp.bind(V4, new EchoHandler(), loop));
            Recorder client = new Recorder();
            DatagramEndpoint endpoint = await(Udp.bind(V4, client, loop));
            ByteBuffer hello = Recorder.text("through the adapter");
            assertThat(endpoint.send(hello, echo.localAddress()), is(true));
            Recorder.Received r = client.datagrams.poll(10, SECONDS);
            assertThat(r, is(notNullValue()));
            assertThat(r.text(), is("through the adapter"));
            assertThat(r.sender(), is(echo.localAddress()));
            await(endpoint.close());
            await(echo.close());
            assertThat(client.closed.get(10, SECONDS), is(notNullValue()));
        }
    }
}
