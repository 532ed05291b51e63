// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The command line of every Java TCP echo server: {@code --port N --bind 127.0.0.1}.
 *
 * <p>Socket buffers are left to the system on purpose: on Linux, setting SO_RCVBUF or SO_SNDBUF
 * on a TCP socket turns off the kernel's autotuning, which is what every server here (and a
 * user's server) runs with. The listen backlog is {@value #BACKLOG} on every server, Java and C,
 * so 1,000 connects in batches never overflow it.
 *
 * <p>Only loopback addresses are accepted: the harness never listens beyond the machine.
 *
 * @param bind the loopback address and port (0 = any free port) to listen on
 */
public record TcpEchoOptions(InetSocketAddress bind) {

    /** The listen backlog of every server (the C server's default too). */
    public static final int BACKLOG = 1024;

    /** Checks the address; see {@link #parse(String...)} for the messages. */
    public TcpEchoOptions {
        if (!bind.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("Bad --bind '" + bind.getAddress().getHostAddress()
                    + "': only a loopback address is allowed; use 127.0.0.1");
        }
    }

    /** Options for an ephemeral port on 127.0.0.1, as the tests use them. */
    public static TcpEchoOptions loopback() {
        return new TcpEchoOptions(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /**
     * Parses {@code --port N} and {@code --bind ADDRESS}.
     *
     * @throws IllegalArgumentException naming the bad argument in quotes and what is expected
     */
    public static TcpEchoOptions parse(String... args) {
        int port = 0;
        String bind = "127.0.0.1";
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Bad argument '" + name
                        + "': expected --port N or --bind 127.0.0.1, each with a value");
            }
            String value = args[++i];
            switch (name) {
                case "--port" -> port = port(value);
                case "--bind" -> bind = value;
                default -> throw new IllegalArgumentException("Unknown argument '" + name
                        + "': expected --port or --bind");
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
        return new TcpEchoOptions(new InetSocketAddress(address, port));
    }

    private static int port(String value) {
        try {
            int v = Integer.parseInt(value);
            if (v >= 0 && v <= 65535) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new IllegalArgumentException("Bad --port '" + value + "': expected an integer in [0, 65535]");
    }
}
