// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bytes the loop thread allocates per echo, in steady state, for a loopwire echo server served
 * by {@code peers} distinct client sockets: the Java heap counter of the loop thread
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) read before and after a
 * measured run, divided by the echoes. It does not depend on timing or load, unlike echoes/s.
 *
 * <p>The clients are blocking {@link DatagramSocket}s in the calling thread, sending in rounds of
 * {@value #BATCH} datagrams, each from the next peer in turn (every peer comes back once per
 * {@code peers} echoes), then receiving those echoes; so the server never holds more than
 * {@value #BATCH} datagrams and none is dropped on loopback.
 *
 * <p>{@code java -cp benchmarks.jar dev.loopwire.benchmarks.echo.LoopAllocation [--loops
 * completion,selector] [--peers 1,1024] [--echoes N] [--warmup N]} prints one line per loop and
 * peer count, after one line for {@link #wakeups}. Not thread-safe; one measurement at a time.
 */
public final class LoopAllocation {

    /** Datagrams sent before their echoes are read. */
    static final int BATCH = 32;

    private LoopAllocation() {
    }

    /** One measurement: {@code bytes} allocated by the loop thread over {@code echoes} echoes. */
    public record Result(String loop, int peers, long echoes, long bytes) {
        /** Bytes per echo. */
        public double perEcho() {
            return (double) bytes / echoes;
        }

        @Override
        public String toString() {
            return String.format("%s peers=%d echoes=%d loop-thread bytes=%d (%.2f B/echo)", loop, peers, echoes,
                    bytes, perEcho());
        }
    }

    /**
     * Starts a {@link LoopwireEchoServer} on loop kind {@code loop}, echoes {@code warmup} then
     * {@code echoes} datagrams from {@code peers} client sockets, and returns what the loop thread
     * allocated during the second part.
     */
    public static Result measure(String loop, int peers, int warmup, int echoes) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (LoopwireEchoServer server = new LoopwireEchoServer(EchoOptions.loopback(), loop)) {
            InetSocketAddress address = server.start();
            long loopThread = loopThreadId(server);
            List<DatagramSocket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < peers; i++) {
                    DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                    clients.add(socket);
                    socket.setSoTimeout(10_000);
                    socket.connect(address);
                }
                Echoer echoer = new Echoer(clients);
                echoer.run(warmup);
                long before = threads.getThreadAllocatedBytes(loopThread);
                echoer.run(echoes);
                long after = threads.getThreadAllocatedBytes(loopThread);
                if (before < 0 || after < 0) {
                    throw new IllegalStateException("Thread allocation accounting is off in this JVM; "
                            + "run without -XX:-ThreadAllocatedMemory (ThreadMXBean.setThreadAllocatedMemoryEnabled)");
                }
                return new Result(loop, peers, echoes, after - before);
            } finally {
                for (DatagramSocket socket : clients) {
                    socket.close();
                }
            }
        }
    }

    private static long loopThreadId(LoopwireEchoServer server)
            throws InterruptedException, ExecutionException, TimeoutException {
        return loopThreadId(server.loop());
    }

    private static long loopThreadId(EventLoop loop) throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Long> id = new CompletableFuture<>();
        loop.execute(() -> id.complete(Thread.currentThread().getId()));
        return id.get(10, TimeUnit.SECONDS);
    }

    /**
     * Bytes the loop thread of a fresh loop of kind {@code loop} allocates per wake-up: another
     * thread hands it one task at a time ({@code execute}) and waits for it to run, so the idle
     * loop is woken for each; {@code warmup} such hand-overs first, then {@code wakeups} measured.
     */
    public static Result wakeups(String loop, int warmup, int wakeups) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (EventLoop l = EventLoops.open(loop)) {
            long loopThread = loopThreadId(l);
            Semaphore ran = new Semaphore(0);
            Runnable task = ran::release;
            for (int i = 0; i < warmup; i++) {
                l.execute(task);
                ran.acquire();
            }
            long before = threads.getThreadAllocatedBytes(loopThread);
            for (int i = 0; i < wakeups; i++) {
                l.execute(task);
                if (!ran.tryAcquire(10, TimeUnit.SECONDS)) {
                    throw new TimeoutException("Loop '" + loop + "' did not run a task within 10 s");
                }
            }
            long after = threads.getThreadAllocatedBytes(loopThread);
            return new Result(loop + " wake-ups", 0, wakeups, after - before);
        }
    }

    /** Sends and receives the echoes, peer after peer. */
    private static final class Echoer {
        private final List<DatagramSocket> clients;
        private final byte[] out = new byte[64];
        private final byte[] in = new byte[2048];
        private final DatagramPacket send = new DatagramPacket(out, out.length);
        private final DatagramPacket receive = new DatagramPacket(in, in.length);
        private int next;
        private long sequence;

        Echoer(List<DatagramSocket> clients) {
            this.clients = clients;
        }

        void run(int echoes) throws IOException {
            int done = 0;
            while (done < echoes) {
                int batch = Math.min(BATCH, Math.min(echoes - done, clients.size()));
                int first = next;
                for (int i = 0; i < batch; i++) {
                    long s = sequence + i;
                    for (int b = 0; b < 8; b++) {
                        out[b] = (byte) (s >>> (8 * b));
                    }
                    clients.get((first + i) % clients.size()).send(send);
                }
                for (int i = 0; i < batch; i++) {
                    receive.setLength(in.length);
                    clients.get((first + i) % clients.size()).receive(receive);
                    long s = 0;
                    for (int b = 0; b < 8; b++) {
                        s |= (in[b] & 0xffL) << (8 * b);
                    }
                    if (receive.getLength() != out.length || s != sequence + i) {
                        throw new IOException("Peer " + (first + i) % clients.size() + " got a wrong echo: "
                                + receive.getLength() + " bytes, sequence " + s + " instead of " + (sequence + i));
                    }
                }
                sequence += batch;
                next = (first + batch) % clients.size();
                done += batch;
            }
        }
    }

    /** Prints one line per loop and peer count. */
    public static void main(String[] args) throws Exception {
        String[] loops = {"completion", "selector"};
        int[] peers = {1, 1024};
        int echoes = 200_000;
        int warmup = 200_000;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException("Option '" + args[i] + "' needs a value");
            }
            switch (args[i]) {
                case "--loops" -> loops = value.split(",");
                case "--peers" -> peers = java.util.Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--echoes" -> echoes = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("Unknown option '" + args[i]
                        + "'; use --loops, --peers, --echoes or --warmup");
            }
        }
        for (String loop : loops) {
            System.out.println(wakeups(loop, warmup / 10, echoes / 10));
            for (int p : peers) {
                System.out.println(measure(loop, p, warmup, echoes));
            }
        }
    }
}
