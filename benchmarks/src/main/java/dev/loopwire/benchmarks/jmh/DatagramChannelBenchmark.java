// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import java.io.IOException;
import java.net.InetAddress;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one JDK {@link DatagramChannel} send plus the matching receive on loopback, in one
 * thread: the floor under every selector-based UDP transport, and the JMH plumbing's proof.
 *
 * <p>Two blocking channels on 127.0.0.1 are connected to each other; each operation sends one
 * datagram from {@code a} and receives it on {@code b}. Loopback delivers synchronously, so the
 * receive never waits for another thread. Run: {@code java -jar benchmarks/target/benchmarks.jar
 * DatagramChannelBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DatagramChannelBenchmark {

    /** Datagram size in bytes. */
    @Param({"64", "1024"})
    public int size;

    /** Whether the buffers are direct (no copy inside the JDK) or heap buffers. */
    @Param({"true", "false"})
    public boolean direct;

    private DatagramChannel a;
    private DatagramChannel b;
    private ByteBuffer out;
    private ByteBuffer in;

    /** Opens and connects the two channels. */
    @Setup(Level.Trial)
    public void open() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        a = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(loopback, 0));
        b = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(loopback, 0));
        a.connect(b.getLocalAddress());
        b.connect(a.getLocalAddress());
        out = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        in = direct ? ByteBuffer.allocateDirect(65536) : ByteBuffer.allocate(65536);
    }

    /** Closes both channels. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        a.close();
        b.close();
    }

    /** One send on {@code a} and the receive of that datagram on {@code b}; returns the bytes received. */
    @Benchmark
    public int sendReceive() throws IOException {
        out.clear();
        a.write(out);
        in.clear();
        return b.read(in);
    }
}
