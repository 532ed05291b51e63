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
 * {@code UringTcpProvider}, which fits the completion loop directly and would be chosen first, is
 * denied here. Skips where io_uring is unavailable, fails then with
 * {@code -Dloopwire.require=io_uring}.
 */
class AdaptedCompletionStreamContractTest extends StreamContract {

    static final String URING_PROVIDER = "dev.loopwire.transport.tcp.internal.UringTcpProvider";

    @org.junit.jupiter.api.BeforeAll
    static void denyTheIoUringProvider() {
        Transports.deny(URING_PROVIDER);
    }

    @org.junit.jupiter.api.AfterAll
    static void allowItAgain() {
        Transports.clearOverrides();
    }

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
