// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Loop costs an application pays: handing a task to the loop from another thread and waiting
 * for it ({@code execute} round trip), and opening then closing a UDP endpoint through
 * {@code Udp.bind}. Both loops, by name.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LoopBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LoopBenchmark {

    /** The kind of loop, as {@code EventLoops.open(String)} names it. */
    @Param({"selector", "completion"})
    public String loopName;

    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private static final DatagramHandler IGNORE = (DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) -> { };

    private EventLoop loop;

    @Setup(Level.Trial)
    public void setUp() {
        loop = EventLoops.open(loopName);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    /** execute() from this thread, run on the loop thread, completion seen back here. */
    @Benchmark
    public Object executeRoundTrip() throws Exception {
        CompletableFuture<Object> done = new CompletableFuture<>();
        loop.execute(() -> done.complete(Boolean.TRUE));
        return done.get(10, TimeUnit.SECONDS);
    }

    /** Udp.bind on 127.0.0.1 (resolution cached), then close, both awaited. */
    @Benchmark
    public Object bindAndClose() throws Exception {
        DatagramEndpoint endpoint = Udp.bind(ANY, IGNORE, loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return endpoint.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
