package dev.loopwire.transport.tcp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import org.junit.jupiter.api.Test;

/**
 * The stream contract on the completion loop, where {@code UringTcpProvider} fits directly on
 * the raw io_uring capability and is chosen before the readiness provider (which fits there only
 * through the selector-thread adapter). Skips where io_uring is unavailable, fails then with
 * {@code -Dloopwire.require=io_uring}.
 */
class UringStreamContractTest extends StreamContract {

    @Override
    protected EventLoop openLoop() {
        return RequireIoUring.open();
    }

    @Test
    void theIoUringProviderIsTheOneChosen() {
        Explanation.Candidate chosen = Transports.explain(loop, Tcp.OPEN).chosen().orElseThrow();
        assertThat(chosen.name(), is("UringTcpProvider"));
    }
}
