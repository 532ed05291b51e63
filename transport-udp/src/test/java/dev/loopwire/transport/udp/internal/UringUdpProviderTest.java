// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.RequireIoUring;
import dev.loopwire.transport.udp.Udp;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UringUdpProviderTest {

    @Test
    void providerDescribesItself() {
        UringUdpProvider provider = new UringUdpProvider();
        assertThat(provider.key(), is(Udp.BIND));
        assertThat(provider.requires(), is(Set.of(UringPort.class)));
        assertThat(provider.availability().isAvailable(), is(true));
    }

    @Test
    void registryResolvesItForACompletionLoop() {
        try (EventLoop loop = RequireIoUring.open()) {
            assertThat(Transports.resolve(loop, Udp.BIND), hasToString(startsWith("UringUdpBinder[")));
            assertThat(new UringUdpProvider().create(loop), hasToString(startsWith("UringUdpBinder[")));
        }
    }

    @Test
    void aLoopWithoutUringPortIsRefusedWithTheRemedy() {
        try (EventLoop loop = EventLoops.open("selector")) {
            var e = assertThrows(IllegalArgumentException.class, () -> new UringUdpProvider().create(loop));
            assertThat(e.getMessage(), is("Loop '" + loop.name() + "' does not offer UringPort; "
                    + UringUdpProvider.class.getName()
                    + " needs it. Resolve UDP with Transports.resolve(loop, Udp.BIND) instead"));
        }
    }
}
