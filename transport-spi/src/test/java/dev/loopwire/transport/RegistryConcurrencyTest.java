// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.FuzzFixtures.BaseLoop;
import dev.loopwire.transport.FuzzFixtures.Fz;
import dev.loopwire.transport.FuzzFixtures.Impl;
import dev.loopwire.transport.FuzzFixtures.Outcome;
import dev.loopwire.transport.FuzzFixtures.ProviderSpec;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Readers resolve while a writer registers, unregisters, prefers, denies and allows. The
 * writer only ever adds implementations of higher precedence (a newer registration on the loop
 * instance) and removes ones that no longer win, so the answer for a (loop, key) pair is a
 * version number that only grows: once the registration of version N has returned, no resolution
 * that starts afterwards may return less than N (no stale or torn cache), no reader ever goes
 * backwards, nobody sees a version whose registration had not started, and once the writer
 * stops every reader resolves the final version.
 */
class RegistryConcurrencyTest {

    private static final int READERS = 4;
    private static final int WRITER_STEPS = 10_000;
    private static final int MAX_READS_PER_READER = 400_000;
    private static final int LOOPS = 3;
    private static final List<TransportKey<Fz>> KEYS = List.of(newKey(0), newKey(1), newKey(2), newKey(3));
    /** No provider and no registration: resolving it must fail, always the same way. */
    private static final TransportKey<Fz> NOTHING = newKey(9);

    private static TransportKey<Fz> newKey(int i) {
        return TransportKey.of("dev.loopwire.transport.concurrency.k" + i, Fz.class);
    }

    private final List<BaseLoop> loops = new ArrayList<>();
    private final AtomicIntegerArray started = new AtomicIntegerArray(LOOPS * KEYS.size());
    private final AtomicIntegerArray completed = new AtomicIntegerArray(LOOPS * KEYS.size());
    private final AtomicBoolean writerDone = new AtomicBoolean();
    private final CountDownLatch readersStarted = new CountDownLatch(READERS);
    private final AtomicInteger readsWhileWriting = new AtomicInteger();

    @Test
    void readersNeverSeeAnOlderImplementationThanTheLastCompletedRegistration() throws Exception {
        List<ProviderEntry<TransportProvider<?>>> providers = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // two providers per key, so prefer and deny have targets
            ProviderSpec spec = new ProviderSpec(KEYS.get(i % KEYS.size()), Set.of(), i / KEYS.size(), null, true,
                    Outcome.OK);
            providers.add(ProviderEntry.loaded(FuzzFixtures.PROVIDER_POOL.get(i).apply(spec)));
        }
        Registry registry = new Registry(() -> providers, List::of, Map.<String, String>of()::get);
        for (int i = 0; i < LOOPS; i++) {
            loops.add(FuzzFixtures.LOOP_MAKERS.get(i * 2).make("conc-" + i, Set.of(), Map.of()));
        }
        List<ArrayDeque<Registration>> live = new ArrayList<>();
        for (int p = 0; p < started.length(); p++) {
            live.add(new ArrayDeque<>());
            live.get(p).add(registry.register(loop(p), key(p), new Impl("v1")));
            started.set(p, 1);
            completed.set(p, 1);
        }
        ExecutorService threads = Executors.newFixedThreadPool(READERS + 1);
        try {
            List<Future<int[]>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                long seed = r;
                readers.add(threads.submit(() -> read(registry, new Random(seed))));
            }
            Future<int[]> writer = threads.submit(() -> {
                readersStarted.await(10, TimeUnit.SECONDS); // overlap readers and writer if at all possible
                return write(registry, live, new Random(42));
            });
            int[] finalVersions = result(writer);
            for (Future<int[]> reader : readers) {
                int[] seen = result(reader);
                for (int p = 0; p < finalVersions.length; p++) {
                    assertThat("final version of " + describe(p), seen[p], is(finalVersions[p]));
                }
            }
            assertThat(finalVersions[0], greaterThan(1));
            System.out.println("RegistryConcurrencyTest: " + readsWhileWriting + " checked reads while "
                    + WRITER_STEPS + " writer steps ran");
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS), is(true));
        }
    }

    /** Resolves until the writer is done, checking every answer; then resolves once more per pair. */
    private int[] read(Registry registry, Random rnd) {
        int[] last = new int[started.length()];
        readersStarted.countDown();
        for (int n = 0; n < MAX_READS_PER_READER && !writerDone.get(); n++) {
            int p = rnd.nextInt(started.length());
            int lowest = completed.get(p);
            int v = version(registry.resolve(loop(p), key(p)));
            int highest = started.get(p);
            if (v < lowest || v < last[p] || v > highest) {
                throw new AssertionError(describe(p) + " resolved to v" + v + " although v" + lowest
                        + " was registered before, this reader saw v" + last[p] + " earlier (0: none yet) and v"
                        + highest + " is the newest registration started");
            }
            last[p] = v;
            readsWhileWriting.incrementAndGet();
            if (n % 64 == 0) {
                assertThrows(UnsupportedTransportException.class, () -> registry.resolve(loop(p), NOTHING));
                assertThat(registry.explain(loop(p), key(p)).chosen().isPresent(), is(true));
            }
        }
        // A reader that ran out of reads before the writer finished must not take its final reading
        // yet: under load that happened once, and the "final" answer was an older registration.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!writerDone.get() && System.nanoTime() < deadline) {
            Thread.yield();
        }
        int[] seen = new int[started.length()];
        for (int p = 0; p < seen.length; p++) {
            seen[p] = version(registry.resolve(loop(p), key(p)));
        }
        return seen;
    }

    /**
     * Changes the registry {@link #WRITER_STEPS} times. Only a new registration on a loop
     * instance changes an answer, and only upwards; everything else drops the cache without
     * changing what wins (instance registrations beat providers and class registrations).
     */
    private int[] write(Registry registry, List<ArrayDeque<Registration>> live, Random rnd) {
        int[] version = new int[started.length()];
        java.util.Arrays.fill(version, 1);
        List<Registration> byClass = new ArrayList<>();
        try {
            for (int step = 0; step < WRITER_STEPS; step++) {
                int p = rnd.nextInt(version.length);
                String provider = FuzzFixtures.PROVIDER_NAMES.get(rnd.nextInt(8));
                switch (rnd.nextInt(9)) {
                    case 0, 1, 2 -> {
                        int v = ++version[p];
                        started.set(p, v);
                        live.get(p).addLast(registry.register(loop(p), key(p), new Impl("v" + v)));
                        completed.set(p, v);
                    }
                    case 3, 8 -> {
                        if (live.get(p).size() > 1) {
                            live.get(p).pollFirst().close(); // the oldest: never the one that wins
                        }
                    }
                    case 4 -> registry.prefer(key(p), provider);
                    case 5 -> registry.deny(provider);
                    case 6 -> registry.allow(provider);
                    default -> {
                        if (byClass.size() > 3 || rnd.nextInt(5) == 0) {
                            registry.clearOverrides();
                            byClass.forEach(Registration::close);
                            byClass.clear();
                        } else {
                            Class<? extends EventLoop> type = rnd.nextBoolean() ? EventLoop.class : BaseLoop.class;
                            byClass.add(registerForClass(registry, type, key(p)));
                        }
                    }
                }
            }
        } finally {
            writerDone.set(true);
        }
        return version;
    }

    /** The future's value; an assertion that failed in the thread fails the test as itself. */
    private static int[] result(Future<int[]> future) throws Exception {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw e;
        }
    }

    private static Registration registerForClass(Registry registry, Class<? extends EventLoop> type,
            TransportKey<Fz> key) {
        @SuppressWarnings("unchecked")
        Class<EventLoop> loopType = (Class<EventLoop>) type;
        return registry.register(loopType, key, loop -> new Impl("v0"));
    }

    private BaseLoop loop(int pair) {
        return loops.get(pair / KEYS.size());
    }

    private static TransportKey<Fz> key(int pair) {
        return KEYS.get(pair % KEYS.size());
    }

    private String describe(int pair) {
        return "(" + loop(pair).name() + ", " + key(pair).name() + ")";
    }

    private static int version(Fz impl) {
        return Integer.parseInt(impl.label().substring(1));
    }
}
