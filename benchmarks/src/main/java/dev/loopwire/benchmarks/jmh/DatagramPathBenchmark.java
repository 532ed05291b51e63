// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-datagram path of a loop — receive, handler, send — measured as one UDP echo: the JMH
 * thread sends a datagram to an echo endpoint on 127.0.0.1 and waits for it to come back.
 *
 * <p>The point is {@code -prof gc}: its {@code gc.alloc.rate.norm} counts the bytes allocated by
 * every thread of the JVM per operation, so the client side allocates nothing of its own (a
 * connected blocking {@link DatagramChannel}, pre-allocated direct buffers) and the {@code jdk}
 * control runs the same client against a plain JDK echo thread (a connected blocking channel
 * doing {@code read}/{@code write} on a direct buffer). What the {@code selector} and
 * {@code completion} lines allocate beyond the control is the loop's: its loop thread plus the
 * loopwire UDP endpoint's handler and send path. The secondary results {@code serverBytes} and
 * {@code datagrams} ({@link ServerThreadAllocation}) give the server thread's own allocation:
 * their quotient is its bytes per datagram, exact and free of the other threads' noise.
 *
 * <p>{@code echo} is one datagram per operation, never more than one in flight (the worst
 * case for per-turn costs); {@code echoBurst} sends {@value #BURST} datagrams, then reads the
 * {@value #BURST} echoes, and counts {@value #BURST} operations, so per-turn costs are shared by
 * the datagrams one wake-up finds.
 *
 * <p><b>Lifecycle.</b> One echo server and one client per trial; a watchdog thread closes the
 * client if an operation makes no progress for {@value #STALL_SECONDS} s (a lost datagram would
 * otherwise block the benchmark forever), which fails the run with
 * {@code AsynchronousCloseException} instead of hanging.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DatagramPathBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DatagramPathBenchmark {

    /** Datagrams per {@code echoBurst} operation group. */
    public static final int BURST = 16;

    static final long STALL_SECONDS = 10;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * The echo server: a loop kind as {@code EventLoops.open(String)} names it, or {@code jdk}
     * for the control (a plain JDK echo thread, no loopwire).
     */
    @Param({"jdk", "selector", "completion"})
    public String loop;

    /** Payload bytes per datagram. */
    @Param({"64"})
    public int size;

    private EventLoop eventLoop;
    private DatagramEndpoint endpoint;
    private DatagramChannel jdkServer;
    private Thread jdkEchoThread;
    private DatagramChannel client;
    private ByteBuffer out;
    private ByteBuffer in;
    // Datagrams echoed; the watchdog reads it to tell a stall from progress.
    private final AtomicLong progress = new AtomicLong();
    private Thread watchdog;
    // The echo server's thread (the loop thread, or the control's), for its own allocation count.
    private volatile Thread serverThread;

    /** Starts the echo server named by {@link #loop} and connects the client to it. */
    @Setup(Level.Trial)
    public void open() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        client = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(loopback, 0));
        InetSocketAddress server;
        if (loop.equals("jdk")) {
            server = startJdkEcho(loopback);
        } else {
            eventLoop = EventLoops.open(loop);
            DatagramHandler echo = (DatagramEndpoint e, ByteBuffer data, InetSocketAddress sender) -> {
                if (!e.send(data, sender)) {
                    // Never seen with one client: the send queue holds far more than BURST.
                    throw new IllegalStateException("echo refused by a full send queue");
                }
            };
            endpoint = Udp.bind(new InetSocketAddress(loopback, 0), echo, eventLoop)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            server = endpoint.localAddress();
            eventLoop.execute(() -> serverThread = Thread.currentThread());
            while (serverThread == null) {
                Thread.onSpinWait();
            }
        }
        client.connect(server);
        out = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            out.put(i, (byte) i);
        }
        in = ByteBuffer.allocateDirect(size + 1);
        watchdog = new Thread(this::watch, "datagram-path-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private InetSocketAddress startJdkEcho(InetAddress loopback) throws IOException {
        jdkServer = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(loopback, 0));
        jdkServer.connect(client.getLocalAddress());
        ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
        jdkEchoThread = new Thread(() -> {
            try {
                while (true) {
                    buffer.clear();
                    jdkServer.read(buffer);
                    jdkServer.write(buffer.flip());
                }
            } catch (IOException closed) {
                // close() ends the control server.
            }
        }, "jdk-echo");
        jdkEchoThread.setDaemon(true);
        jdkEchoThread.start();
        serverThread = jdkEchoThread;
        return (InetSocketAddress) jdkServer.getLocalAddress();
    }

    private void watch() {
        long seen = -1;
        long stalledSince = System.nanoTime();
        while (client.isOpen()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = progress.get();
            if (now != seen) {
                seen = now;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                System.err.println("DatagramPathBenchmark: no echo for " + STALL_SECONDS + " s on '" + loop
                        + "' (a lost datagram?); closing the client to fail the run");
                try {
                    client.close();
                } catch (IOException e) {
                    System.err.println("closing the client: " + e);
                }
                return;
            }
        }
    }

    /**
     * What the echo server's thread alone allocated, and the datagrams it echoed, as JMH secondary
     * results ({@code echo:serverBytes}, {@code echo:datagrams}; per iteration, and summed over
     * the measurement iterations in the score): their quotient is the loop thread's share per
     * datagram (loop, UDP endpoint and handler), exact ({@code ThreadMXBean.getThreadAllocatedBytes}),
     * which {@code -prof gc} cannot separate from the other threads. Counters rather than a printed
     * line: printing allocates, and {@code -prof gc} would count it.
     *
     * <p><b>Lifecycle.</b> One per benchmark thread; counts from the start to the end of each
     * iteration of the {@link DatagramPathBenchmark} it is {@linkplain #watch watching}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class ServerThreadAllocation {

        private DatagramPathBenchmark benchmark;
        private long bytesAtStart;
        private long datagramsAtStart;
        /** Bytes the server thread allocated in the iteration. */
        public long serverBytes;
        /** Datagrams echoed in the iteration. */
        public long datagrams;

        /** Which benchmark's server thread to count; the benchmark methods call it each time. */
        void watch(DatagramPathBenchmark watched) {
            benchmark = watched;
        }

        /** Starts counting; the benchmark's trial set-up has run. */
        @Setup(Level.Iteration)
        public void start() {
            serverBytes = 0;
            datagrams = 0;
            if (benchmark != null) {
                bytesAtStart = allocatedBytes(benchmark.serverThread);
                datagramsAtStart = benchmark.progress.get();
            }
        }

        /** Stops counting (the first iteration only learns which benchmark it watches). */
        @TearDown(Level.Iteration)
        public void stop() {
            if (benchmark != null) {
                serverBytes = allocatedBytes(benchmark.serverThread) - bytesAtStart;
                datagrams = benchmark.progress.get() - datagramsAtStart;
            }
        }
    }

    private static long allocatedBytes(Thread thread) {
        return THREADS.getThreadAllocatedBytes(thread.getId());
    }

    /** Closes the client, then the server and its loop. */
    @TearDown(Level.Trial)
    public void close() throws Exception {
        watchdog.interrupt();
        client.close();
        if (endpoint != null) {
            endpoint.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (eventLoop != null) {
            eventLoop.close();
        }
        if (jdkServer != null) {
            jdkServer.close();
            jdkEchoThread.join(10_000);
        }
    }

    /** One datagram out and its echo back; returns the echo's length. */
    @Benchmark
    public int echo(ServerThreadAllocation allocation) throws IOException {
        allocation.watch(this);
        out.clear();
        client.write(out);
        int length = receive();
        progress.lazySet(progress.get() + 1);
        return length;
    }

    /** {@value #BURST} datagrams out, then their {@value #BURST} echoes; counts {@value #BURST} operations. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int echoBurst(ServerThreadAllocation allocation) throws IOException {
        allocation.watch(this);
        for (int i = 0; i < BURST; i++) {
            out.clear();
            client.write(out);
        }
        int bytes = 0;
        for (int i = 0; i < BURST; i++) {
            bytes += receive();
        }
        progress.lazySet(progress.get() + BURST);
        return bytes;
    }

    private int receive() throws IOException {
        in.clear();
        int length = client.read(in);
        if (length != size) {
            throw new IllegalStateException("echo of " + length + " bytes, sent " + size);
        }
        return length;
    }
}
