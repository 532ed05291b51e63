package dev.loopwire.reliability;

import static dev.loopwire.reliability.Endpoints.await;
import static dev.loopwire.reliability.Endpoints.bind;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Datagrams echoed through {@code Udp} on each loop at a window of 256, every one accounted for:
 * echoed, or lost where the kernel counted a drop. The library itself must drop none. Reduced:
 * 500,000 per loop; {@code -Dloopwire.stress=full}: 10,000,000.
 */
class LoadTest {

    static final int COUNT = Loops.FULL ? 10_000_000 : 500_000;
    static final int WINDOW = 256;
    static final long MB = 1 << 20;

    static java.util.stream.Stream<Named<String>> loops() {
        return Loops.names();
    }

    /** The kernel's UDP drop counters (InErrors covers RcvbufErrors; SndbufErrors apart). */
    static long kernelDrops() throws Exception {
        String[] lines = Files.readAllLines(Path.of("/proc/net/snmp")).stream()
                .filter(l -> l.startsWith("Udp:")).toArray(String[]::new);
        String[] names = lines[0].trim().split("\\s+");
        String[] values = lines[1].trim().split("\\s+");
        long drops = 0;
        for (int i = 1; i < names.length; i++) {
            if (names[i].equals("InErrors") || names[i].equals("SndbufErrors")) {
                drops += Long.parseLong(values[i]);
            }
        }
        return drops;
    }

    static long usedHeapAfterGc() {
        System.gc();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    /** Runs on the client loop only: sends in order, keeps WINDOW in flight, records what returns. */
    static final class Client implements DatagramHandler {
        final BitSet echoed = new BitSet(COUNT);
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final CompletableFuture<Void> quarter = new CompletableFuture<>();
        final ByteBuffer out = ByteBuffer.allocateDirect(64);
        DatagramEndpoint self;
        InetSocketAddress server;
        int next;
        int inFlight;
        long echoes;
        long late;
        long presumedLost;
        long refused;
        long errors;
        long progressAtLastCheck = -1;

        @Override
        public void onOpen(DatagramEndpoint endpoint) {
            self = endpoint;
        }

        void fill() {
            while (inFlight < WINDOW && next < COUNT) {
                out.clear();
                out.putInt(0, next).position(0).limit(64);
                if (!self.send(out, server)) {
                    refused++; // not lost: retried when the queue says it is writable again
                    return;
                }
                next++;
                inFlight++;
            }
            maybeDone();
        }

        @Override
        public void onDatagram(ByteBuffer data, InetSocketAddress sender) {
            int seq = data.getInt(0);
            if (echoed.get(seq)) {
                return;
            }
            echoed.set(seq);
            echoes++;
            if (seq < lostBelow && seq >= 0) {
                late++; // declared lost by the stall check, then arrived after all
                presumedLost--;
            } else {
                inFlight--;
            }
            if (echoes == COUNT / 4) {
                quarter.complete(null);
            }
            fill();
        }

        int lostBelow;

        /** Every 500 ms: if nothing came back since the last check, what is in flight was dropped. */
        void checkStall() {
            if (echoes == progressAtLastCheck && inFlight > 0) {
                presumedLost += inFlight;
                inFlight = 0;
                lostBelow = next;
                fill();
            }
            progressAtLastCheck = echoes;
            maybeDone();
        }

        void maybeDone() {
            if (next == COUNT && inFlight == 0) {
                done.complete(null);
            }
        }

        @Override
        public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
            if (writable) {
                fill();
            }
        }

        @Override
        public void onError(Throwable error) {
            errors++;
        }
    }

    @ParameterizedTest
    @MethodSource("loops")
    void everyDatagramIsEchoedOrCountedAsAKernelDrop(String name) {
        assertTimeoutPreemptively(Duration.ofMinutes(Loops.FULL ? 20 : 2), () -> {
            try (EventLoop serverLoop = Loops.open(name); EventLoop clientLoop = Loops.open(name)) {
                Endpoints.Echo echo = new Endpoints.Echo();
                DatagramEndpoint server = bind(serverLoop, echo);
                Client client = new Client();
                client.server = server.localAddress();
                DatagramEndpoint endpoint = bind(clientLoop, client);
                Timers timers = clientLoop.capability(Timers.class).orElseThrow();
                Runnable[] check = new Runnable[1];
                check[0] = () -> {
                    client.checkStall();
                    if (!client.done.isDone()) {
                        timers.schedule(Duration.ofMillis(500), check[0]);
                    }
                };
                long drops0 = kernelDrops();
                long start = System.nanoTime();
                clientLoop.execute(client::fill);
                timers.schedule(Duration.ofMillis(500), check[0]);

                client.quarter.get(Loops.FULL ? 10 : 1, TimeUnit.MINUTES);
                long heapAtQuarter = usedHeapAfterGc();
                long rssAtQuarter = rss();
                client.done.get(Loops.FULL ? 20 : 2, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - start) / 1e9;
                long heapAtEnd = usedHeapAfterGc();
                long rssAtEnd = rss();
                long kernel = kernelDrops() - drops0;
                long lost = client.presumedLost;
                Figures.record(String.format("load %s: %,d datagrams in %.1f s (%,.0f/s), echoed %,d, lost %,d"
                        + " (kernel-counted drops %,d, library drops %,d), late %,d, send refusals retried %,d,"
                        + " server refusals %d, errors %d+%d; heap after GC %,d -> %,d KB; RSS %,d -> %,d KB",
                        name, COUNT, seconds, COUNT / seconds, client.echoes, lost, kernel, Math.max(0, lost - kernel),
                        client.late, client.refused, echo.refused.get(), client.errors, echo.errors.get(),
                        heapAtQuarter / 1024, heapAtEnd / 1024, rssAtQuarter / 1024, rssAtEnd / 1024));

                assertThat("every datagram echoed or lost", client.echoes + lost, is((long) COUNT));
                assertThat("losses the kernel did not count are the library's", lost, lessThanOrEqualTo(kernel));
                assertThat("the echo server never had to refuse", echo.refused.get(), is(0L));
                assertThat(client.errors + echo.errors.get(), is(0L));
                assertThat("heap flat after warm-up", heapAtEnd - heapAtQuarter, lessThan(32 * MB));
                assertThat("native memory flat after warm-up", rssAtEnd - rssAtQuarter, lessThan(64 * MB));
                await(endpoint.close());
                await(server.close());
            }
        });
    }
}
