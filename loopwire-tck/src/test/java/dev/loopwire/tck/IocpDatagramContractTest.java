// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.loop.completion.sim.SimulatedIocp;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.Udp;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * UDP on the completion loop's IOCP backend keeps the datagram contract, with
 * {@code IocpUdpProvider} on a simulated completion port ({@code loop-iocp-sim}): the provider's
 * logic against a model of Winsock as Microsoft documents it, on any system. Real Windows runs
 * none of it here.
 */
class IocpDatagramContractTest extends DatagramContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        return SimulatedIocp.open(CompletionLoop.builder().exceptionHandler(exceptionHandler));
    }

    /**
     * Skipped on the simulator only: it models no multicast routing (group membership deciding
     * who receives a datagram sent to a group is the network stack's behaviour, not the
     * provider's). The provider's join and leave set {@code IP_ADD_MEMBERSHIP} /
     * {@code IP_DROP_MEMBERSHIP} as {@code ws2ipdef.h} defines them; only real Windows can show
     * that they work.
     */
    @Override
    @Test
    public void multicastJoinAndLeaveOnLoopback() {
        assumeTrue(false, "the simulated port models no multicast routing; this case needs real Windows");
    }

    @Test
    void theIocpProviderIsTheOneChosen() throws Exception {
        EventLoop loop = openLoop(t -> { });
        try {
            Explanation.Candidate chosen = Transports.explain(loop, Udp.BIND).chosen().orElseThrow();
            assertThat(chosen.name(), is("IocpUdpProvider"));
            assertThat(chosen.source(), is(Explanation.Source.PROVIDER));
        } finally {
            loop.close();
        }
    }
}
