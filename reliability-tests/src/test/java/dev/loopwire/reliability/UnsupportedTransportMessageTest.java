// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.UnsupportedTransportException;
import dev.loopwire.transport.udp.Udp;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The message a user reads when UDP has nothing that fits their loop, with loopwire's real
 * providers, adapter and loop kinds (and this module's rogue provider, which would fit and is
 * foreign): it says which capabilities would fit, which loops available here offer them, and
 * how to allow the foreign provider that would fit.
 */
class UnsupportedTransportMessageTest {

    /** A loop with no capability at all, as a user's own test loop might be. */
    private static final class BareLoop implements EventLoop {
        @Override
        public String name() {
            return "bare-1";
        }

        @Override
        public Set<Class<? extends Capability>> capabilities() {
            return Set.of();
        }

        @Override
        public <C extends Capability> Optional<C> capability(Class<C> type) {
            return Optional.empty();
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
        public void execute(Runnable task) {
            throw new RejectedExecutionException("bare-1 runs nothing");
        }

        @Override
        public CloseHook addCloseHook(Runnable hook) {
            throw new RejectedExecutionException("bare-1 runs nothing");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theMessageSaysWhatWouldFitAndWhichLoopsHereOfferIt() {
        var e = assertThrows(UnsupportedTransportException.class, () -> Transports.resolve(new BareLoop(), Udp.BIND));
        String rogue = SecurityTest.ROGUE;
        boolean completion = EventLoops.providers().stream().filter(p -> p.name().equals("completion"))
                .map(EventLoops::availability).findFirst().orElseThrow().isAvailable();
        String loops = completion
                ? "'completion' (EventLoops.open(\"completion\")), 'selector' (EventLoops.open(\"selector\"))"
                : "'selector' (EventLoops.open(\"selector\"))";
        assertThat(e.getMessage(), is("No implementation of 'dev.loopwire.transport.udp.bind' for loop 'bare-1'"
                + " (capabilities: none); passed over: RogueUdpProvider (foreign: dev.loopwire.reliability does not own"
                + " 'dev.loopwire.transport.udp.bind' (owner: dev.loopwire.transport.udp); allow it with -Dloopwire.allow="
                + rogue + "), IocpUdpProvider (missing IocpPort), ReadinessUdpProvider (missing FdReadiness),"
                + " UringUdpProvider (missing UringPort);"
                + " adapters passed over: SelectorThreadAdapter (requires UringPort, which the loop lacks);"
                + " it would run on a loop offering FdReadiness (ReadinessUdpProvider) or IocpPort (IocpUdpProvider) or UringPort"
                + " (UringUdpProvider); loops available here that offer them: " + loops + ";"
                + " a foreign provider would fit this loop: if you trust it, allow it with -Dloopwire.allow=" + rogue
                + " or Transports.allow; or register an implementation with Transports.register"));
    }

    @Test
    void noLoopIsOpenedToFindOut() {
        Set<String> before = threadNames();
        assertThrows(UnsupportedTransportException.class, () -> Transports.resolve(new BareLoop(), Udp.BIND));
        Set<String> started = threadNames();
        started.removeAll(before);
        // Loops name their thread after themselves: 'selector-<n>', 'io_uring-<n>'.
        assertThat(started.stream().filter(n -> n.startsWith("selector-") || n.startsWith("completion-")
                || n.startsWith("loopwire-")).toList(), is(java.util.List.of()));
    }

    private static Set<String> threadNames() {
        Set<String> names = new java.util.HashSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }
}
