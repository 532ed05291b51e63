// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The command line of every Java echo server: {@code --port N --bind 127.0.0.1
 * [--socket-buffer BYTES]}.
 *
 * <p>Only loopback addresses are accepted: the harness never sends a datagram off the machine.
 *
 * @param bind the loopback address and port (0 = any free port) to bind
 * @param socketBuffer SO_RCVBUF and SO_SNDBUF in bytes, the same value the C server uses
 */
public record EchoOptions(InetSocketAddress bind, int socketBuffer) {

    /** The default socket buffer size of every server and of the C client: 1 MiB. */
    public static final int DEFAULT_SOCKET_BUFFER = 1 << 20;

    /** Checks the values; see {@link #parse(String...)} for the messages. */
    public EchoOptions {
        if (!bind.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("Bad --bind '" + bind.getAddress().getHostAddress()
                    + "': only a loopback address is allowed; use 127.0.0.1");
        }
        if (socketBuffer < 4096) {
            throw new IllegalArgumentException("Bad --socket-buffer '" + socketBuffer
                    + "': expected at least 4096 bytes");
        }
    }

    /** Options for an ephemeral port on 127.0.0.1, as the tests use them. */
    public static EchoOptions loopback() {
        return new EchoOptions(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), DEFAULT_SOCKET_BUFFER);
    }

    /**
     * Parses {@code --port N}, {@code --bind ADDRESS} and {@code --socket-buffer BYTES}.
     *
     * @throws IllegalArgumentException naming the bad argument in quotes and what is expected
     */
    public static EchoOptions parse(String... args) {
        int port = 0;
        String bind = "127.0.0.1";
        int socketBuffer = DEFAULT_SOCKET_BUFFER;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Bad argument '" + name
                        + "': expected --port N, --bind 127.0.0.1 or --socket-buffer BYTES, each with a value");
            }
            String value = args[++i];
            switch (name) {
                case "--port" -> port = integer(name, value, 0, 65535);
                case "--bind" -> bind = value;
                case "--socket-buffer" -> socketBuffer = integer(name, value, 4096, 1 << 30);
                default -> throw new IllegalArgumentException("Unknown argument '" + name
                        + "': expected --port, --bind or --socket-buffer");
            }
        }
        InetAddress address;
        try {
            // A literal only: a host name would need a resolver, and could resolve off the machine.
            if (!bind.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new UnknownHostException(bind);
            }
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Bad --bind '" + bind + "': expected a literal loopback address"
                    + " such as 127.0.0.1", e);
        }
        return new EchoOptions(new InetSocketAddress(address, port), socketBuffer);
    }

    private static int integer(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new IllegalArgumentException("Bad " + name + " '" + value + "': expected an integer in ["
                + min + ", " + max + "]");
    }
}
