// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesRegex;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.UnsupportedTransportException;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How Udp.BIND resolves on real and fake loops, as users see it through explain. */
class UdpResolutionTest {

    private static final String ADAPTER = "dev.loopwire.transport.internal.SelectorThreadAdapter";
    private static final String COMPLETION_PROVIDER = "dev.loopwire.transport.udp.internal.UringUdpProvider";

    /** A loop that claims only UringPort and runs nothing: resolution and explain create no socket. */
    static final class CompletionOnlyLoop implements EventLoop {
        @Override
        public String name() {
            return "completion-only";
        }

        @Override
        public Set<Class<? extends Capability>> capabilities() {
            return Set.of(UringPort.class);
        }

        @Override
        public <C extends Capability> Optional<C> capability(Class<C> type) {
            return Optional.empty();
        }

        @Override
        public CloseHook addCloseHook(Runnable hook) {
            // Never closes with anything registered: the hook would never run.
            return () -> false;
        }

        @Override
        public boolean inLoop() {
            return false;
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void execute(Runnable command) {
            throw new UnsupportedOperationException("not a running loop");
        }

        @Override
        public void close() {
        }
    }

    @AfterEach
    void forgetOverrides() {
        Transports.clearOverrides();
    }

    @Test
    void onASelectorLoopTheReadinessProviderIsChosen() {
        try (EventLoop loop = EventLoops.open("selector")) {
            Explanation report = Transports.explain(loop, Udp.BIND);
            assertThat(report.chosen().orElseThrow().name(), is("ReadinessUdpProvider"));
            assertThat(report.toString(), startsWith("Transport 'dev.loopwire.transport.udp.bind' on loop '"
                    + loop.name() + "' (capabilities: FdReadiness, Timers)\n"));
            assertThat(report.toString(), matchesRegex("(?s).*\\n  1  chosen +ReadinessUdpProvider +provider +FdReadiness +0"
                    + " +offers every required capability\\n.*"));
            assertThat(report.toString(), containsString("dev.loopwire.transport.udp.internal.ReadinessUdpProvider:"
                    + " dev.loopwire.transport.udp@"));
        }
    }

    @Test
    void onACompletionOnlyLoopWithoutAdapterOrCompletionProviderTheMessageNamesTheMissingFdReadiness() {
        Transports.deny(ADAPTER);
        Transports.deny(COMPLETION_PROVIDER);
        var e = assertThrows(UnsupportedTransportException.class,
                () -> Transports.resolve(new CompletionOnlyLoop(), Udp.BIND));
        assertThat(e.getMessage(), startsWith("No implementation of 'dev.loopwire.transport.udp.bind' for loop"
                + " 'completion-only' (capabilities: UringPort); passed over: "));
        assertThat(e.getMessage(), containsString("ReadinessUdpProvider (missing FdReadiness)"));
    }

    @Test
    void onACompletionOnlyLoopTheSelectorThreadAdapterCanCarryTheReadinessProvider() {
        Transports.deny(COMPLETION_PROVIDER);
        Explanation report = Transports.explain(new CompletionOnlyLoop(), Udp.BIND);
        Explanation.Candidate chosen = report.chosen().orElseThrow();
        assertThat(chosen.name(), is("ReadinessUdpProvider"));
        assertThat(chosen.source(), is(Explanation.Source.ADAPTED_PROVIDER));
        assertThat(chosen.reason(), is("through SelectorThreadAdapter for FdReadiness"));
    }
}
