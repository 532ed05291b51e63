package dev.loopwire.reliability;

import static dev.loopwire.reliability.Endpoints.await;
import static dev.loopwire.reliability.Endpoints.bind;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Open/close cycles of endpoints and of whole loops, on each backend: file descriptors and
 * threads come back to where they were. Reduced sizes by default; {@code -Dloopwire.stress=full}
 * runs 100,000 endpoint cycles and 1,000 loop cycles per backend.
 */
class SoakTest {

    static final int ENDPOINT_CYCLES = Loops.FULL ? 100_000 : 10_000;
    static final int LOOP_CYCLES = Loops.FULL ? 1_000 : 200;

    static java.util.stream.Stream<Named<String>> loops() {
        return Loops.names();
    }

    /** File descriptors settle (a closing socket may finish a moment after its stage completes). */
    private static int fdsSettledAt(int baseline) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int now = Loops.openFds();
        while (now > baseline && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = Loops.openFds();
        }
        return now;
    }

    @ParameterizedTest
    @MethodSource("loops")
    void endpointOpenCloseCyclesLeakNoFileDescriptor(String name) throws Exception {
        try (EventLoop loop = Loops.open(name)) {
            // Warm up once: the first bind may open what stays open for the loop's life.
            await(bind(loop, (d, s) -> { }).close());
            int baseline = Loops.openFds();
            long start = System.nanoTime();
            for (int i = 0; i < ENDPOINT_CYCLES; i++) {
                await(bind(loop, (d, s) -> { }).close());
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            int after = fdsSettledAt(baseline);
            Figures.record("soak " + name + ": " + ENDPOINT_CYCLES + " endpoint open/close cycles in " + millis
                    + " ms; fds " + baseline + " -> " + after);
            assertThat(after, is(baseline));
        }
    }

    @ParameterizedTest
    @MethodSource("loops")
    void loopOpenCloseCyclesLeakNoFileDescriptorNorThread(String name) throws Exception {
        Loops.open(name).close(); // warm-up: class loading, the io_uring probe, JNA
        int fds = Loops.openFds();
        int threads = Thread.activeCount();
        long start = System.nanoTime();
        for (int i = 0; i < LOOP_CYCLES; i++) {
            EventLoop loop = Loops.open(name);
            DatagramEndpoint e = bind(loop, (d, s) -> { });
            e.send(ByteBuffer.wrap(new byte[] {1}), e.localAddress());
            await(e.close());
            loop.close();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        int after = fdsSettledAt(fds);
        Figures.record("soak " + name + ": " + LOOP_CYCLES + " loop open/close cycles (each with an endpoint and a send) in "
                + millis + " ms; fds " + fds + " -> " + after + "; threads " + threads + " -> " + Thread.activeCount());
        assertThat(after, is(fds));
        assertThat(Thread.activeCount(), lessThanOrEqualTo(threads));
    }

    @ParameterizedTest
    @MethodSource("loops")
    void closingALoopWithEndpointsOpenClosesTheirSockets(String name) throws Exception {
        Loops.open(name).close();
        int fds = Loops.openFds();
        EventLoop loop = Loops.open(name);
        List<DatagramEndpoint> open = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            open.add(bind(loop, (d, s) -> { }));
        }
        loop.close();
        assertThat(fdsSettledAt(fds), is(fds));
        for (DatagramEndpoint e : open) {
            // Closing an endpoint whose loop is gone completes at once (documented in transport-udp).
            await(e.close());
        }
    }

    @ParameterizedTest
    @MethodSource("loops")
    void anEndpointClosedFromItsOwnCallbackClosesOnce(String name) throws Exception {
        try (EventLoop loop = Loops.open(name)) {
            AtomicInteger closes = new AtomicInteger();
            CompletableFuture<Void> closedStage = new CompletableFuture<>();
            DatagramEndpoint receiver = bind(loop, new DatagramHandler() {
                private DatagramEndpoint self;

                @Override
                public void onOpen(DatagramEndpoint endpoint) {
                    self = endpoint;
                }

                @Override
                public void onDatagram(ByteBuffer data, InetSocketAddress sender) {
                    self.close().whenComplete((v, t) -> closedStage.complete(null));
                    self.close();
                }

                @Override
                public void onClose() {
                    closes.incrementAndGet();
                }
            });
            DatagramEndpoint sender = bind(loop, (d, s) -> { });
            for (int i = 0; i < 5; i++) {
                sender.send(ByteBuffer.wrap(new byte[] {(byte) i}), receiver.localAddress());
            }
            closedStage.get(10, TimeUnit.SECONDS);
            assertThat(receiver.isClosed(), is(true));
            assertThat(closes.get(), is(1));
            await(sender.close());
        }
    }

    @ParameterizedTest
    @MethodSource("loops")
    void closingWhileSendsAreQueuedLosesNone(String name) throws Exception {
        try (EventLoop loop = Loops.open(name)) {
            AtomicInteger received = new AtomicInteger();
            DatagramEndpoint receiver = bind(loop, (d, s) -> received.incrementAndGet());
            AtomicInteger errors = new AtomicInteger();
            DatagramEndpoint sender = bind(loop, new DatagramHandler() {
                @Override
                public void onDatagram(ByteBuffer data, InetSocketAddress from) {
                }

                @Override
                public void onError(Throwable error) {
                    errors.incrementAndGet();
                }
            });
            int count = 800;
            CompletableFuture<Integer> accepted = new CompletableFuture<>();
            loop.execute(() -> {
                int n = 0;
                for (int i = 0; i < count; i++) {
                    if (sender.send(ByteBuffer.wrap(new byte[64]), receiver.localAddress())) {
                        n++;
                    }
                }
                sender.close(); // same loop turn: everything accepted is still queued or in flight
                accepted.complete(n);
            });
            int n = accepted.get(10, TimeUnit.SECONDS);
            await(sender.close());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.get() + errors.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Figures.record("soak " + name + ": close with sends queued: " + n + " accepted, " + received.get()
                    + " received, " + errors.get() + " reported failed");
            assertThat(received.get() + errors.get(), is(n));
            await(receiver.close());
        }
    }
}
