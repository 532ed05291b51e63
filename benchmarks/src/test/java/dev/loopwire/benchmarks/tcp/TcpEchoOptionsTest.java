// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TcpEchoOptionsTest {

    @Test
    void parsesPortAndBind() throws Exception {
        TcpEchoOptions o = TcpEchoOptions.parse("--port", "4242", "--bind", "127.0.0.1");
        assertThat(o.bind(), is(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4242)));
        assertThat(TcpEchoOptions.parse().bind().getPort(), is(0));
        assertThat(TcpEchoOptions.parse("--bind", "::1").bind().getAddress().isLoopbackAddress(), is(true));
    }

    @Test
    void badArgumentsAreNamedInQuotesWithWhatIsExpected() {
        assertThat(message("--port", "65536"), is("Bad --port '65536': expected an integer in [0, 65535]"));
        assertThat(message("--port", "x"), is("Bad --port 'x': expected an integer in [0, 65535]"));
        assertThat(message("--bind", "10.0.0.1"),
                is("Bad --bind '10.0.0.1': only a loopback address is allowed; use 127.0.0.1"));
        assertThat(message("--bind", "localhost"),
                is("Bad --bind 'localhost': expected a literal loopback address such as 127.0.0.1"));
        assertThat(message("--socket-buffer", "1"), is("Unknown argument '--socket-buffer': expected --port or --bind"));
        assertThat(message("--port"),
                is("Bad argument '--port': expected --port N or --bind 127.0.0.1, each with a value"));
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> TcpEchoOptions.parse(args)).getMessage();
    }
}
