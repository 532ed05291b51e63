// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A rough measurement, not a test: {@code UdpEchoBenchmark [loop kind] [echoes]} runs a 64-byte
 * echo at window 128 between two loops of the given kind (server and client, 127.0.0.1), and
 * prints echoes per second and the bytes each loop thread allocated per echo once warm
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, read from inside a loop
 * task). Run it on the class path with the test classes and the module jars.
 */
public final class UdpEchoBenchmark {

    private static final int WINDOW = 128;
    private static final int SIZE = 64;

    private UdpEchoBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "completion";
        int echoes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        try (EventLoop serverLoop = EventLoops.open(kind); EventLoop clientLoop = EventLoops.open(kind)) {
            DatagramEndpoint server = Udp.bind(new InetSocketAddress("127.0.0.1", 0), new EchoHandler(), serverLoop)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            for (int round = 1; round <= 3; round++) {
                WindowedClient client = new WindowedClient(server.localAddress(), round == 1 ? echoes / 4 : echoes, WINDOW, SIZE);
                DatagramEndpoint endpoint = Udp.bind(new InetSocketAddress("127.0.0.1", 0), client, clientLoop)
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                long serverBefore = allocated(serverLoop);
                long clientBefore = allocated(clientLoop);
                long start = System.nanoTime();
                clientLoop.execute(client::start);
                int done = client.done.get(120, TimeUnit.SECONDS);
                long nanos = System.nanoTime() - start;
                long serverBytes = allocated(serverLoop) - serverBefore;
                long clientBytes = allocated(clientLoop) - clientBefore;
                endpoint.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
                System.out.printf("%s round %d%s: %,d echoes in %.2f s = %,.0f echoes/s;"
                        + " allocated per echo: server loop %.3f bytes, client loop %.3f bytes%n",
                        kind, round, round == 1 ? " (warm-up)" : "", done, nanos / 1e9, done * 1e9 / nanos,
                        (double) serverBytes / done, (double) clientBytes / done);
            }
            server.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Bytes the loop's thread has allocated so far, read on that thread; reflectively, because
     * this module does not read {@code jdk.management}.
     */
    private static long allocated(EventLoop loop) throws Exception {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method bytesOf = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        CompletableFuture<Long> bytes = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                bytes.complete((Long) bytesOf.invoke(bean, Thread.currentThread().getId()));
            } catch (ReflectiveOperationException e) {
                bytes.completeExceptionally(e);
            }
        });
        return bytes.get(10, TimeUnit.SECONDS);
    }
}
