// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A rough measurement, not a test: request/response of 64 bytes over 1 and 64 connections
 * (client and server on two loops of one kind), bulk throughput on one connection, and the bytes
 * the server loop thread allocates per echo once warm. Run on the class path:
 * {@code java -cp <classes> dev.loopwire.transport.tcp.TcpEchoBenchmark selector|completion [echoes]}.
 */
public final class TcpEchoBenchmark {

    private TcpEchoBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "selector";
        int echoes = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        try (EventLoop server = EventLoops.open(kind); EventLoop client = EventLoops.open(kind)) {
            TcpListener listener = Tcp.listen(new InetSocketAddress("127.0.0.1", 0), EchoHandler::new, server)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            long serverThread = CompletableFuture.supplyAsync(() -> Thread.currentThread().getId(), server).get();
            for (int connections : new int[] {1, 64}) {
                requestResponse(listener, client, connections, echoes / 4); // warm-up
                long before = allocated(serverThread);
                long start = System.nanoTime();
                requestResponse(listener, client, connections, echoes);
                double seconds = (System.nanoTime() - start) / 1e9;
                long bytes = allocated(serverThread) - before;
                System.out.printf("%s: 64-byte request/response, %d connection(s): %.0f echoes/s, server loop allocated"
                        + " %.2f bytes/echo%n", kind, connections, echoes / seconds, (double) bytes / echoes);
            }
            bulk(kind, listener, client, 64 << 20); // warm-up
            long size = 512L << 20;
            long start = System.nanoTime();
            bulk(kind, listener, client, size);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s: bulk echo, one connection: %.0f MiB/s each way%n", kind, size / seconds / (1 << 20));
            listener.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Reflection, because this module does not read {@code java.management} (run on the class path). */
    private static long allocated(long thread) throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class)
                .invoke(bean, thread);
    }

    /** Each connection sends 64 bytes, waits for them to come back, and goes again. */
    private static void requestResponse(TcpListener listener, EventLoop loop, int connections, int echoes)
            throws Exception {
        CountDownLatch done = new CountDownLatch(connections);
        int each = echoes / connections;
        List<TcpConnection> open = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            open.add(Tcp.connect(listener.localAddress(), new StreamHandler() {
                final ByteBuffer message = ByteBuffer.allocateDirect(64);
                int received;
                int left = each;

                @Override
                public void onOpen(TcpConnection c) {
                    c.write(message.clear());
                }

                @Override
                public void onData(TcpConnection c, ByteBuffer data) {
                    received += data.remaining();
                    while (received >= 64) {
                        received -= 64;
                        if (--left == 0) {
                            done.countDown();
                        } else {
                            c.write(message.clear());
                        }
                    }
                }
            }, loop).toCompletableFuture().get(10, TimeUnit.SECONDS));
        }
        done.await(120, TimeUnit.SECONDS);
        for (TcpConnection c : open) {
            c.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** One connection writes {@code size} bytes as fast as writability allows and reads them back. */
    private static void bulk(String kind, TcpListener listener, EventLoop loop, long size) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 << 10);
        TcpConnection c = Tcp.connect(listener.localAddress(), new StreamHandler() {
            long sent;
            long received;

            private void pump(TcpConnection c) {
                while (sent < size && c.isWritable()) {
                    c.write(chunk.clear());
                    sent += chunk.capacity();
                }
            }

            @Override
            public void onOpen(TcpConnection c) {
                pump(c);
            }

            @Override
            public void onWritabilityChanged(TcpConnection c, boolean writable) {
                if (writable) {
                    pump(c);
                }
            }

            @Override
            public void onData(TcpConnection c, ByteBuffer data) {
                received += data.remaining();
                if (received >= size) {
                    done.countDown();
                }
            }
        }, loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
        done.await(300, TimeUnit.SECONDS);
        c.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
