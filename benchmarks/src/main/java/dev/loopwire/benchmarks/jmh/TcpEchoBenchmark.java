// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * TCP echo over 127.0.0.1 between two loops of one kind (client and server), in steady state:
 * 64-byte request/response over 64 connections, and bulk echo of 64 KiB writes over one
 * connection. With {@code -prof gc}, {@code gc.alloc.rate.norm} is what the whole JVM (both
 * loop threads, the provider on each, and this thread's hand-over, amortised) allocates per
 * message: the figure for "0 bytes per message on the loop thread".
 *
 * <p>{@code selector} resolves {@code ReadinessTcpProvider}, {@code completion} resolves
 * {@code UringTcpProvider} (io_uring). The benchmark thread starts a batch with one
 * {@code execute} and waits for the loops to finish it, polling a volatile flag, so that the
 * hand-over allocates nothing per message. Run: {@code java -jar benchmarks/target/benchmarks.jar
 * TcpEchoBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TcpEchoBenchmark {

    /** Echoes per request/response invocation (over all connections). */
    static final int ECHOES = 64 * 100;
    /** Bulk: bytes per write, and writes per invocation (16 MiB each way). */
    static final int CHUNK = 64 << 10;
    static final int CHUNKS = 256;

    /** The loop kind, which decides the provider. */
    @Param({"selector", "completion"})
    public String kind;

    private EventLoop server;
    private EventLoop client;
    private TcpListener listener;
    private final List<TcpConnection> open = new ArrayList<>();
    private TcpBenchClients.RequestResponse requestResponse;
    private TcpBenchClients.Bulk bulk;

    /** Opens the loops, the echo listener, 64 request/response connections and one bulk connection. */
    @Setup(Level.Trial)
    public void open() throws Exception {
        server = EventLoops.open(kind);
        client = EventLoops.open(kind);
        listener = Tcp.listen(new InetSocketAddress("127.0.0.1", 0), TcpBenchClients.Echo::new, server)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        requestResponse = new TcpBenchClients.RequestResponse(64, 64);
        for (int i = 0; i < 64; i++) {
            open.add(Tcp.connect(listener.localAddress(), requestResponse, client).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS));
        }
        requestResponse.connections(open);
        bulk = new TcpBenchClients.Bulk(CHUNK);
        open.add(Tcp.connect(listener.localAddress(), bulk, client).toCompletableFuture()
                .get(10, TimeUnit.SECONDS));
    }

    /** Closes everything. */
    @TearDown(Level.Trial)
    public void close() throws Exception {
        for (TcpConnection c : open) {
            c.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        listener.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client.close();
        server.close();
    }

    /** One operation: one 64-byte message sent and its echo received, 64 connections in parallel. */
    @Benchmark
    @OperationsPerInvocation(ECHOES)
    public void requestResponse64() {
        requestResponse.start(ECHOES);
        client.execute(requestResponse);
        await(requestResponse);
    }

    /** One operation: one 64 KiB write echoed back in full, on one connection. */
    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public void bulkEcho64k() {
        bulk.start((long) CHUNKS * CHUNK);
        client.execute(bulk);
        await(bulk);
    }

    private static void await(TcpBenchClients.Batch batch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!batch.done()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("batch not done in 60 s: " + batch);
            }
            LockSupport.parkNanos(20_000);
        }
    }
}
