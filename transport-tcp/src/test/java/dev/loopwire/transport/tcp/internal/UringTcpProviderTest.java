// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.UringPort;
import dev.loopwire.transport.tcp.Tcp;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link UringTcpProvider} says about itself; the stream contract in the kit tests what it does. */
class UringTcpProviderTest {

    @Test
    void providerDescribesItselfAndRanksAboveTheReadinessProvider() {
        UringTcpProvider provider = new UringTcpProvider();
        assertThat(provider.key(), is(Tcp.OPEN));
        assertThat(provider.requires(), is(Set.of(UringPort.class)));
        assertThat(provider.priority(), greaterThan(new ReadinessTcpProvider().priority()));
    }

    @Test
    void aLoopWithoutTheCapabilityIsRefusedNamingBoth() {
        try (EventLoop loop = EventLoops.open("selector")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new UringTcpProvider().create(loop));
            assertThat(e.getMessage(), containsString("'" + loop.name() + "' does not offer UringPort"));
        }
    }
}
