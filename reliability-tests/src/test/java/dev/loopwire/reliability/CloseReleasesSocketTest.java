// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.SoakTest.ANY;
import static dev.loopwire.reliability.SoakTest.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When the stage returned by {@code close()} completes, the socket is really gone: its file
 * descriptor is released and its port can be bound again at once. (On the selector loop the JDK
 * defers closing a channel that is still registered until the selector's next select; without
 * a flush the port stayed taken after {@code close()} completed.)
 */
class CloseReleasesSocketTest {

    /** Whether UDP on this loop runs through a capability adapter (completion loop before its own provider). */
    static boolean throughAdapter(EventLoop loop) {
        return Transports.explain(loop, Udp.BIND).chosen()
                .map(c -> c.source() == Explanation.Source.ADAPTED_PROVIDER).orElse(false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void thePortCanBeBoundAgainAsSoonAsCloseCompletes(String kind) throws Exception {
        try (EventLoop loop = Loops.open(kind)) {
            await(Udp.bind(ANY, new Recorder(), loop).thenCompose(DatagramEndpoint::close));
            long fds = Proc.baselineFds(loop);
            for (int i = 0; i < 20; i++) {
                DatagramEndpoint first = await(Udp.bind(ANY, new Recorder(), loop));
                InetSocketAddress port = first.localAddress();
                await(first.close());
                if (throughAdapter(loop)) {
                    // The selector-thread adapter's selector runs on its own thread: it releases
                    // the socket on its next select, soon after close() completed, not before.
                    Proc.awaitFds(fds);
                }
                assertThat("open file descriptors right after close()", Proc.openFds(), is(fds));
                DatagramEndpoint again = await(Udp.bind(port, new Recorder(), loop));
                assertThat(again.localAddress(), is(port));
                await(again.close());
            }
        }
    }
}
