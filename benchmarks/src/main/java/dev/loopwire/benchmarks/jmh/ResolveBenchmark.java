// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * The cost of the double dispatch: {@code Transports.resolve} once a (loop, key) is cached — the
 * claim is "about a map lookup, no allocation" (run with {@code -prof gc}) — and a first
 * resolution among 1, 10 or 100 providers of the key.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ResolveBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResolveBenchmark {

    /** How many providers of the key the registry holds, for the first-resolution case. */
    @Param({"1", "10", "100"})
    public int providers;

    /** The implementation type of the benchmark's key; any interface of this package would do. */
    public interface Ping {
    }

    static final TransportKey<Ping> PING = TransportKey.of("dev.loopwire.benchmarks.jmh.ping", Ping.class);

    private EventLoop selector;
    private Registry registry;
    private EventLoop quiet;

    @Setup(Level.Trial)
    public void setUp() {
        selector = dev.loopwire.loop.EventLoops.open("selector");
        Transports.resolve(selector, Udp.BIND);
        List<ProviderEntry<TransportProvider<?>>> entries = new ArrayList<>();
        for (int i = 0; i < providers; i++) {
            entries.add(ProviderEntry.loaded(new PingProvider(i)));
        }
        registry = new Registry(() -> entries, List::of, name -> null);
        quiet = new QuietLoop();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        selector.close();
    }

    /** The fast path every Udp.bind takes after the first: a cached (loop, key). */
    @Benchmark
    public UdpBinder resolveCached() {
        return Transports.resolve(selector, Udp.BIND);
    }

    /** Drops the cache (as any registration does), then resolves: the slow path, all candidates ranked. */
    @Benchmark
    public Ping resolveFirst() {
        registry.clearOverrides();
        return registry.resolve(quiet, PING);
    }

    /** A provider that fits every loop offering FdReadiness; its priority spreads the ranking. */
    static final class PingProvider implements TransportProvider<Ping> {
        private final int priority;
        private final Ping ping = new Ping() { };

        PingProvider(int priority) {
            this.priority = priority;
        }

        @Override
        public TransportKey<Ping> key() {
            return PING;
        }

        @Override
        public Set<Class<? extends Capability>> requires() {
            return Set.of(FdReadiness.class);
        }

        @Override
        public int priority() {
            return priority % 7;
        }

        @Override
        public Availability availability() {
            return Availability.available();
        }

        @Override
        public Ping create(EventLoop loop) {
            return ping;
        }
    }

    /** A loop that only answers questions: first resolution needs no running loop. */
    static final class QuietLoop implements EventLoop {
        @Override
        public String name() {
            return "quiet";
        }

        @Override
        public Set<Class<? extends Capability>> capabilities() {
            return Set.of(FdReadiness.class, Timers.class);
        }

        @Override
        public <C extends Capability> Optional<C> capability(Class<C> type) {
            return Optional.empty();
        }

        @Override
        public CloseHook addCloseHook(Runnable hook) {
            // Never closes with anything registered: the hook would never run.
            return () -> false;
        }

        @Override
        public boolean inLoop() {
            return false;
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void close() {
        }
    }
}
