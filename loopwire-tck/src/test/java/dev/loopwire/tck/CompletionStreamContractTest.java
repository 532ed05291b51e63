// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.tcp.Tcp;
import org.junit.jupiter.api.Test;

/**
 * TCP on loopwire's completion loop keeps the stream contract with {@code UringTcpProvider},
 * which fits the raw io_uring capability directly and is chosen there before the readiness
 * provider (which fits only through the selector-thread adapter).
 */
class CompletionStreamContractTest extends StreamContract {

    @Override
    protected EventLoop openLoop() {
        return StreamLoops.completion();
    }

    @Test
    void theIoUringProviderIsTheOneChosen() {
        Explanation.Candidate chosen = Transports.explain(loop, Tcp.OPEN).chosen().orElseThrow();
        assertThat(chosen.name(), is("UringTcpProvider"));
        assertThat(chosen.source(), is(Explanation.Source.PROVIDER));
    }
}
