// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.Udp;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;

/**
 * UDP through the selector-thread adapter keeps the datagram contract: a completion loop with
 * the completion UDP provider denied, so the readiness provider runs on the adapter's
 * {@code FdReadiness}.
 */
class AdaptedDatagramContractTest extends DatagramContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        RequireIoUring.check();
        Transports.deny("dev.loopwire.transport.udp.internal.UringUdpProvider");
        EventLoop loop = CompletionLoop.builder().exceptionHandler(exceptionHandler).open();
        Explanation.Candidate chosen = Transports.explain(loop, Udp.BIND).chosen().orElseThrow();
        assertThat(chosen.name(), is("ReadinessUdpProvider"));
        assertThat(chosen.source(), is(Explanation.Source.ADAPTED_PROVIDER));
        return loop;
    }

    @AfterEach
    void forgetTheDenial() {
        Transports.clearOverrides();
    }
}
