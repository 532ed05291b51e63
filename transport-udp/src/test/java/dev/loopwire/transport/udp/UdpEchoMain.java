// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A UDP echo server for benchmarks: {@code UdpEchoMain [port] [loop kind]}, on 127.0.0.1,
 * default port 9999 on the best available loop. Stops on Ctrl-C.
 */
public final class UdpEchoMain {

    private UdpEchoMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
        EventLoop loop = args.length > 1 ? EventLoops.open(args[1]) : EventLoops.open();
        DatagramEndpoint endpoint = Udp.bind(new InetSocketAddress("127.0.0.1", port), new EchoHandler(), loop)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.println("echo on " + endpoint.localAddress() + " with " + loop);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            endpoint.close();
            loop.close();
        }));
        Thread.currentThread().join();
    }
}
