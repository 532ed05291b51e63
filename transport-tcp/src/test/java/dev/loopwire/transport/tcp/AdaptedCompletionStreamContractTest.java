package dev.loopwire.transport.tcp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import org.junit.jupiter.api.Test;

/**
 * The stream contract on the completion loop, which offers no {@code FdReadiness} of its own:
 * {@code ReadinessTcpProvider} runs there through the registry's selector-thread adapter.
 * Skips where io_uring is unavailable, fails then with {@code -Dloopwire.require=io_uring}.
 */
class AdaptedCompletionStreamContractTest extends StreamContract {

    @Override
    protected EventLoop openLoop() {
        return RequireIoUring.open();
    }

    @Test
    void theReadinessProviderIsTheOneChosenThroughTheAdapter() {
        Explanation.Candidate chosen = Transports.explain(loop, Tcp.OPEN).chosen().orElseThrow();
        assertThat(chosen.name(), is("ReadinessTcpProvider"));
        assertThat(chosen.source(), is(Explanation.Source.ADAPTED_PROVIDER));
    }
}
