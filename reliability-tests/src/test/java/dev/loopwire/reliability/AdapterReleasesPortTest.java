// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.SoakTest.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through the selector-thread adapter (UDP's readiness provider on the completion loop), a port
 * is free as soon as {@code close()} completes: the endpoint's, and the loop's (issue #10 item
 * 13: binding the port again failed 1–8 times in 20 before, because the adapter's cancel() left
 * the channel registered until its helper thread selected again).
 */
class AdapterReleasesPortTest {

    private static final String COMPLETION_UDP = "dev.loopwire.transport.udp.internal.UringUdpProvider";
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

    @BeforeEach
    void throughTheAdapter() {
        Transports.deny(COMPLETION_UDP);
    }

    @AfterEach
    void restore() {
        Transports.clearOverrides();
    }

    @Test
    void anEndpointsPortIsFreeAsSoonAsItsCloseCompletes() throws Exception {
        try (EventLoop loop = Loops.open("completion")) {
            assertThat(CloseReleasesSocketTest.throughAdapter(loop), is(true));
            for (int round = 0; round < 50; round++) {
                DatagramEndpoint endpoint = await(Udp.bind(ANY, new Recorder(), loop));
                InetSocketAddress port = endpoint.localAddress();
                await(endpoint.close());
                try (DatagramChannel again = DatagramChannel.open().bind(port)) {
                    assertThat("round " + round, again.getLocalAddress(), is(port));
                }
            }
        }
    }

    @Test
    void theLoopsCloseFreesThePortsOfEndpointsLeftOpen() throws Exception {
        for (int round = 0; round < 10; round++) {
            List<InetSocketAddress> ports = new ArrayList<>();
            EventLoop loop = Loops.open("completion");
            assertThat(CloseReleasesSocketTest.throughAdapter(loop), is(true));
            for (int i = 0; i < 3; i++) {
                ports.add(await(Udp.bind(ANY, new Recorder(), loop)).localAddress());
            }
            loop.close();
            for (InetSocketAddress port : ports) {
                try (DatagramChannel again = DatagramChannel.open().bind(port)) {
                    assertThat("round " + round, again.getLocalAddress(), is(port));
                }
            }
        }
    }
}
