package dev.loopwire.loop.iocp;

import dev.loopwire.loop.CompletionPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A runnable UDP echo server on a {@link CompletionLoop}, and a measurement of it against two
 * simple loopback clients: another completion loop (a second thread) and a blocking JDK
 * {@link DatagramChannel}. Not a unit test: run it by hand, on a quiet machine.
 *
 * <pre>
 * java -cp ... dev.loopwire.loop.iocp.EchoBenchmark [echoes=1000000] [window=128] [payload=64]
 * java -cp ... dev.loopwire.loop.iocp.EchoBenchmark serve [port=9999]   (echo server only, ^C to stop)
 * </pre>
 */
public final class EchoBenchmark {

    private EchoBenchmark() {
    }

    /** Starts an echo server on 127.0.0.1:{@code port} on {@code loop}; returns its address. */
    public static InetSocketAddress serve(CompletionLoop loop, int port) throws Exception {
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                CompletionPort.Datagram[] server = new CompletionPort.Datagram[1];
                server[0] = loop.openDatagram(StandardProtocolFamily.INET, new CompletionPort.DatagramListener() {
                    @Override
                    public void received(ByteBuffer data, InetSocketAddress sender) {
                        server[0].send(data, sender); // a full slot pool drops the echo, as UDP may
                    }

                    @Override
                    public void writable() {
                    }

                    @Override
                    public void failed(IOException error) {
                        System.err.println("server: " + error);
                    }

                    @Override
                    public void closed() {
                    }
                });
                server[0].bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                server[0].startReceiving(2048);
                bound.complete(server[0].localAddress());
            } catch (Exception e) {
                bound.completeExceptionally(e);
            }
        });
        InetSocketAddress address = bound.get(10, TimeUnit.SECONDS);
        System.out.println("echo server on " + address + " (" + loop.name() + ")");
        return address;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            serve(CompletionLoop.open(), args.length > 1 ? Integer.parseInt(args[1]) : 9999);
            return; // the loop thread is not a daemon: the server runs until killed
        }
        int echoes = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int payload = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        System.out.println(Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", Java " + System.getProperty("java.version"));
        try (CompletionLoop server = CompletionLoop.open()) {
            InetSocketAddress address = serve(server, 0);
            for (int round = 0; round < 3; round++) {
                completionClient(server, address, echoes, window, payload);
            }
            for (int round = 0; round < 2; round++) {
                jdkClient(address, echoes / 4, window, payload);
            }
        }
    }

    private static void completionClient(CompletionLoop serverLoop, InetSocketAddress server, int echoes, int window, int size) throws Exception {
        long serverBefore = OnLoop.call(serverLoop, Allocation::ofCurrentThread);
        try (CompletionLoop loop = CompletionLoop.open()) {
            long[] counts = new long[4]; // sent, received, allocated when warm, allocated at the end
            CompletableFuture<Void> done = new CompletableFuture<>();
            ByteBuffer out = ByteBuffer.allocateDirect(size);
            long start = System.nanoTime();
            loop.execute(() -> {
                try {
                    CompletionPort.Datagram[] client = new CompletionPort.Datagram[1];
                    Runnable sendNext = () -> {
                        if (counts[0] < echoes && client[0].send(out.clear(), server)) {
                            counts[0]++;
                        }
                    };
                    client[0] = loop.openDatagram(StandardProtocolFamily.INET, new CompletionPort.DatagramListener() {
                        @Override
                        public void received(ByteBuffer data, InetSocketAddress sender) {
                            if (++counts[1] == echoes / 10) {
                                counts[2] = Allocation.ofCurrentThread();
                            } else if (counts[1] == echoes) {
                                counts[3] = Allocation.ofCurrentThread();
                                done.complete(null);
                            }
                            sendNext.run();
                        }

                        @Override
                        public void writable() {
                            sendNext.run();
                        }

                        @Override
                        public void failed(IOException error) {
                            done.completeExceptionally(error);
                        }

                        @Override
                        public void closed() {
                        }
                    });
                    client[0].bind(new InetSocketAddress(server.getAddress(), 0));
                    client[0].startReceiving(2048);
                    for (int i = 0; i < window; i++) {
                        sendNext.run();
                    }
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            });
            done.get(120, TimeUnit.SECONDS);
            report("completion-loop client", echoes, window, size, System.nanoTime() - start);
            long serverAllocated = OnLoop.call(serverLoop, Allocation::ofCurrentThread) - serverBefore;
            System.out.printf("    allocated on the loop threads: client %.3f bytes/echo once warm, server %.3f bytes/echo"
                    + " overall%n", (counts[3] - counts[2]) / (echoes * 0.9), serverAllocated / (double) echoes);
        }
    }

    private static void jdkClient(InetSocketAddress server, int echoes, int window, int size) throws IOException {
        try (DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            client.bind(new InetSocketAddress(server.getAddress(), 0));
            client.connect(server);
            ByteBuffer out = ByteBuffer.allocateDirect(size);
            ByteBuffer in = ByteBuffer.allocateDirect(2048);
            long start = System.nanoTime();
            int sent = 0;
            for (; sent < window; sent++) {
                client.write(out.clear());
            }
            for (int received = 0; received < echoes; received++) {
                client.read(in.clear());
                if (sent < echoes) {
                    client.write(out.clear());
                    sent++;
                }
            }
            report("blocking JDK DatagramChannel client", echoes, window, size, System.nanoTime() - start);
        }
    }

    private static void report(String client, int echoes, int window, int size, long nanos) {
        System.out.printf("%-36s %,d echoes of %d bytes, window %d: %,.0f echoes/s%n", client, echoes, size, window,
                echoes * 1e9 / nanos);
    }
}
