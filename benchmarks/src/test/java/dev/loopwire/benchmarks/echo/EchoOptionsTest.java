// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EchoOptionsTest {

    @Test
    void parsesPortBindAndSocketBuffer() {
        EchoOptions options = EchoOptions.parse("--port", "4000", "--bind", "127.0.0.1", "--socket-buffer", "65536");
        assertThat(options.bind(), is(new InetSocketAddress("127.0.0.1", 4000)));
        assertThat(options.socketBuffer(), is(65536));
    }

    @Test
    void defaultsToAnEphemeralPortOnLoopback() {
        EchoOptions options = EchoOptions.parse();
        assertThat(options.bind(), is(new InetSocketAddress("127.0.0.1", 0)));
        assertThat(options.socketBuffer(), is(EchoOptions.DEFAULT_SOCKET_BUFFER));
    }

    @Test
    void rejectsANonLoopbackAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EchoOptions.parse("--bind", "10.1.2.3"));
        assertThat(e.getMessage(), is("Bad --bind '10.1.2.3': only a loopback address is allowed; use 127.0.0.1"));
    }

    @Test
    void rejectsAHostNameWithoutResolvingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EchoOptions.parse("--bind", "example.com"));
        assertThat(e.getMessage(), is("Bad --bind 'example.com': expected a literal loopback address such as 127.0.0.1"));
    }

    @Test
    void rejectsAPortOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EchoOptions.parse("--port", "70000"));
        assertThat(e.getMessage(), is("Bad --port '70000': expected an integer in [0, 65535]"));
    }

    @Test
    void rejectsAnUnknownArgumentAndAMissingValue() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> EchoOptions.parse("--threads", "2")).getMessage(),
                is("Unknown argument '--threads': expected --port, --bind or --socket-buffer"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> EchoOptions.parse("--port")).getMessage(),
                is("Bad argument '--port': expected --port N, --bind 127.0.0.1 or --socket-buffer BYTES, each with a value"));
    }
}
