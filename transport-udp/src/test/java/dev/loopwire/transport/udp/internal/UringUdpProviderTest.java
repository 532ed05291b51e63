package dev.loopwire.transport.udp.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.RequireIoUring;
import dev.loopwire.transport.udp.Udp;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompletionUdpProviderTest {

    @Test
    void providerDescribesItself() {
        CompletionUdpProvider provider = new CompletionUdpProvider();
        assertThat(provider.key(), is(Udp.BIND));
        assertThat(provider.requires(), is(Set.of(CompletionPort.class)));
        assertThat(provider.availability().isAvailable(), is(true));
    }

    @Test
    void registryResolvesItForACompletionLoop() {
        try (EventLoop loop = RequireIoUring.open()) {
            assertThat(Transports.resolve(loop, Udp.BIND), instanceOf(CompletionUdpBinder.class));
            assertThat(new CompletionUdpProvider().create(loop), instanceOf(CompletionUdpBinder.class));
        }
    }

    @Test
    void aLoopWithoutCompletionPortIsRefusedWithTheRemedy() {
        try (EventLoop loop = EventLoops.open("selector")) {
            var e = assertThrows(IllegalArgumentException.class, () -> new CompletionUdpProvider().create(loop));
            assertThat(e.getMessage(), is("Loop '" + loop.name() + "' does not offer CompletionPort; "
                    + CompletionUdpProvider.class.getName()
                    + " needs it. Resolve UDP with Transports.resolve(loop, Udp.BIND) instead"));
        }
    }
}
