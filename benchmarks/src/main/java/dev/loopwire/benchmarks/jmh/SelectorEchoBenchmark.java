// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One UDP echo through the selector loop's per-datagram path — readiness, receive, the
 * handler, {@code send} straight to the socket — with one peer: the benchmark thread sends 64
 * bytes from a blocking connected channel and waits for the echo. Run with {@code -prof gc}:
 * {@code gc.alloc.rate.norm} is the bytes allocated per echo by every thread, the loop's and
 * the client's (whose blocking {@code write}/{@code read} of direct buffers allocate nothing).
 * Timings are round trips across two threads and depend on the machine's load; the
 * allocation figure does not. Run: {@code java -jar benchmarks/target/benchmarks.jar
 * SelectorEchoBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SelectorEchoBenchmark {

    private EventLoop loop;
    private DatagramEndpoint server;
    private DatagramChannel client;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64);
    private final ByteBuffer in = ByteBuffer.allocateDirect(2048);

    /** Opens the loop, the echo endpoint and the client channel, connected to it. */
    @Setup(Level.Trial)
    public void open() throws Exception {
        loop = EventLoops.open("selector");
        DatagramHandler echo = new DatagramHandler() {
            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                endpoint.send(data, sender);
            }
        };
        server = Udp.bind(new InetSocketAddress("127.0.0.1", 0), echo, loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
        client = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        client.connect(server.localAddress());
    }

    /** Closes the client, the endpoint and the loop. */
    @TearDown(Level.Trial)
    public void close() throws Exception {
        client.close();
        server.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        loop.close();
    }

    /** Sends one datagram and waits for its echo; returns the bytes echoed. */
    @Benchmark
    public int echo() throws IOException {
        client.write(out.clear());
        return client.read(in.clear());
    }
}
