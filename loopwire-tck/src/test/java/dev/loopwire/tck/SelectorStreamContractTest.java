// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.tcp.Tcp;
import org.junit.jupiter.api.Test;

/** TCP on the selector loop, where {@code ReadinessTcpProvider} fits directly, keeps the stream contract. */
class SelectorStreamContractTest extends StreamContract {

    @Override
    protected EventLoop openLoop() {
        return EventLoops.open("selector");
    }

    @Test
    void theReadinessProviderIsTheOneChosen() {
        assertThat(Transports.explain(loop, Tcp.OPEN).chosen().orElseThrow().name(), is("ReadinessTcpProvider"));
    }
}
