// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.tcp.Tcp;
import org.junit.jupiter.api.AfterEach;

/**
 * TCP through the selector-thread adapter keeps the stream contract: a completion loop with
 * {@code UringTcpProvider} denied, so {@code ReadinessTcpProvider} runs on the adapter's
 * {@code FdReadiness}.
 */
class AdaptedStreamContractTest extends StreamContract {

    @Override
    protected EventLoop openLoop() {
        Transports.deny("dev.loopwire.transport.tcp.internal.UringTcpProvider");
        EventLoop loop = StreamLoops.completion();
        Explanation.Candidate chosen = Transports.explain(loop, Tcp.OPEN).chosen().orElseThrow();
        assertThat(chosen.name(), is("ReadinessTcpProvider"));
        assertThat(chosen.source(), is(Explanation.Source.ADAPTED_PROVIDER));
        return loop;
    }

    @AfterEach
    void forgetTheDenial() {
        Transports.clearOverrides();
    }
}
