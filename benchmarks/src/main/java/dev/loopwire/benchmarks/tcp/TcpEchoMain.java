// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Runs one TCP echo server as a process for {@code run-tcp.sh}: parse the options, start, print
 * {@code ready <port>} on stdout, serve until SIGTERM/SIGINT, then close.
 *
 * <p>Exit status: 0 after a signal, 2 for a bad argument (message on stderr), 1 if the server
 * cannot start.
 */
final class TcpEchoMain {

    private TcpEchoMain() {
    }

    static void run(String[] args, Function<TcpEchoOptions, TcpEchoServer> factory) {
        TcpEchoOptions options;
        try {
            options = TcpEchoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        TcpEchoServer server = factory.apply(options);
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (Exception e) {
            System.err.println("Cannot start " + server + " on " + options.bind() + ": " + e);
            server.close();
            System.exit(1);
            return;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            closed.countDown();
        }, "tcp-echo-shutdown"));
        System.out.println("ready " + bound.getPort());
        System.out.flush();
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
