// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One NOP submission and its completion through the public {@link UringPort}, as a third party's
 * transport pays it: the handler of each completion submits the next NOP, so every round trip
 * is one loop turn (one {@code io_uring_enter}). A batch of {@value #BATCH} round trips runs on
 * the loop thread per invocation, so the hand-over from the benchmark thread is amortised.
 *
 * <p>Besides JMH's {@code -prof gc} (which counts the benchmark thread), the loop thread's own
 * allocation per round trip is measured with {@code ThreadMXBean} and printed at tear-down.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar UringNopBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UringNopBenchmark {

    static final int BATCH = 1000;

    private EventLoop loop;
    private Chain chain;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loop = EventLoops.open("completion");
        UringPort port = loop.capability(UringPort.class)
                .orElseThrow(() -> new IllegalStateException(loop.name() + " does not offer UringPort"));
        chain = new Chain(loop);
        CompletableFuture<UringRegistration> registered = new CompletableFuture<>();
        loop.execute(() -> registered.complete(port.register(-1, chain)));
        chain.registration = registered.get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
        System.out.printf("%nloop thread: %.3f bytes allocated per round trip (%d round trips)%n",
                (double) chain.loopBytes / chain.roundTrips, chain.roundTrips);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int nopRoundTrip() throws Exception {
        return chain.run(false).get(10, TimeUnit.SECONDS);
    }

    /** The same, each NOP naming a block (addr) and a direct buffer (addr2): the pinning path. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int nopNamingMemory() throws Exception {
        return chain.run(true).get(10, TimeUnit.SECONDS);
    }

    /** Submits the next NOP from each completion until the batch is done. */
    static final class Chain implements UringHandler {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        private final EventLoop loop;
        private final Runnable begin = this::begin;
        UringRegistration registration;
        private final java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(64);
        private CompletableFuture<Integer> done;
        private dev.loopwire.loop.NativeBlock block;
        private boolean withMemory;
        private int remaining;
        private long batchStartBytes;
        long loopBytes;
        long roundTrips;

        Chain(EventLoop loop) {
            this.loop = loop;
        }

        CompletableFuture<Integer> run(boolean memory) {
            withMemory = memory;
            done = new CompletableFuture<>();
            loop.execute(begin);
            return done;
        }

        private void begin() {
            remaining = BATCH;
            if (block == null) {
                block = registration.allocate(64);
            }
            batchStartBytes = THREADS.getCurrentThreadAllocatedBytes();
            submit(registration);
        }

        private void submit(UringRegistration r) {
            if (withMemory) {
                r.prepare(UringPort.OP_NOP).addr(block, 0).addr2(direct).tag(remaining).submit();
            } else {
                r.prepare(UringPort.OP_NOP).tag(remaining).submit();
            }
        }

        @Override
        public void complete(UringRegistration r, UringCompletion completion) {
            if (--remaining > 0) {
                submit(r);
                return;
            }
            loopBytes += THREADS.getCurrentThreadAllocatedBytes() - batchStartBytes;
            roundTrips += BATCH;
            done.complete(completion.result());
        }

        @Override
        public void unregistered(UringRegistration r) {
        }
    }
}
