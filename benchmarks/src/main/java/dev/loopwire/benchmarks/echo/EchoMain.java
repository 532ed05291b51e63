// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Runs one echo server as a process for {@code run-echo.sh}: parse the options, start, print
 * {@code ready <port>} on stdout, serve until SIGTERM/SIGINT, then close.
 *
 * <p>Exit status: 0 after a signal, 2 for a bad argument (message on stderr), 1 if the server
 * cannot start.
 */
final class EchoMain {

    private EchoMain() {
    }

    static void run(String[] args, Function<EchoOptions, EchoServer> factory) {
        EchoOptions options;
        try {
            options = EchoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        EchoServer server = factory.apply(options);
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
        }, "echo-shutdown"));
        System.out.println("ready " + bound.getPort());
        System.out.flush();
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
