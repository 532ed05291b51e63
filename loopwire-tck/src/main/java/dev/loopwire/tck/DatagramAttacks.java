// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static dev.loopwire.tck.Waits.SECONDS_BOUND;
import static dev.loopwire.tck.Waits.await;
import static dev.loopwire.tck.Waits.hold;
import static dev.loopwire.tck.Waits.onLoop;
import static dev.loopwire.tck.Waits.opened;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.InvalidAddressException;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The hostile half of the datagram contract: races between close and senders, sends after the
 * loop closed, every handler callback throwing, bad input, and a receive buffer kept past its
 * call. Extend {@link DatagramContract}, which inherits these.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DatagramAttacks extends DatagramCloseAttacks {

    /** What the suite throws from handlers; a {@link StackOverflowError} is also provoked for real. */
    private static final List<Supplier<Throwable>> THROWN = List.of(
            () -> new IllegalStateException("thrown by the test"),
            () -> new OutOfMemoryError("thrown by the test"),
            () -> new AssertionError("thrown by the test"));

    private static List<Throwable> thrown() {
        List<Throwable> all = new ArrayList<>();
        THROWN.forEach(s -> all.add(s.get()));
        return all;
    }

    /**
     * Checks that {@code thrown} (or, for {@code null}, a {@link StackOverflowError}) was reported:
     * to {@code onError} as the handler javadoc says for exceptions, or to the loop's exception
     * handler as the errors policy allows for {@link Error}s. A loop without an exception handler
     * can only be checked through {@code onError}, and only for exceptions.
     */
    final void assertReported(RecordingHandler handler, Throwable thrown) throws InterruptedException {
        java.util.function.Predicate<Throwable> matches = thrown == null
                ? StackOverflowError.class::isInstance : r -> r == thrown;
        String what = thrown == null ? "a StackOverflowError" : String.valueOf(thrown);
        boolean mayGoToTheLoop = thrown == null || thrown instanceof Error;
        if (!mayGoToTheLoop) {
            Throwable reported = handler.nextError();
            assertThat(what + " reported to onError", reported != null && matches.test(reported), is(true));
            return;
        }
        if (!hasExceptionHandler()) {
            handler.errors.removeIf(matches); // reported or logged by the loop: nothing more to see
            return;
        }
        long deadline = System.nanoTime() + SECONDS.toNanos(SECONDS_BOUND);
        while (System.nanoTime() < deadline) {
            if (handler.errors.removeIf(matches) || handled.removeIf(matches)) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError(what + " was reported neither to onError nor to the loop's exception handler"
                + " (onError saw " + handler.errors + ", the loop " + handled + ")");
    }

    /**
     * Eight threads send through an 8-datagram queue while the endpoint is closed under them,
     * five times over: every datagram whose {@code send} returned {@code true} arrives, and
     * none is reported to {@code onError}.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void closeSendsEveryAcceptedDatagramWhileManyThreadsSend() throws Exception {
        EventLoop loop = loop();
        for (int round = 0; round < 5; round++) {
            Set<Integer> received = ConcurrentHashMap.newKeySet();
            DatagramEndpoint target = bind(V4, (e, data, s) -> received.add(data.getInt()),
                    UdpOptions.builder().receiveBufferSize(1 << 20).build(), loop);
            RecordingHandler events = new RecordingHandler() {
                @Override
                public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
                    super.onWritabilityChanged(endpoint, writable);
                    sleep(2); // a slow callback widens the window between the flush and close
                }
            };
            DatagramEndpoint sender = bind(V4, events, UdpOptions.builder().sendQueueDatagrams(8).build(), loop);
            Set<Integer> accepted = ConcurrentHashMap.newKeySet();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                Thread th = new Thread(() -> sendUntilClosed(sender, target.localAddress(), thread, accepted),
                        "sender-" + t);
                th.start();
                threads.add(th);
            }
            awaitCondition("senders under way", () -> accepted.size() >= 40);
            await(sender.close());
            for (Thread th : threads) {
                th.join(SECONDS.toMillis(SECONDS_BOUND));
            }
            int r = round;
            awaitCondition("round " + r + ": all " + accepted.size() + " accepted datagrams arrive (" + received.size()
                    + " did; errors " + events.errors + ")", () -> received.containsAll(accepted));
            assertThat("round " + round + ": errors reported for accepted datagrams", events.errors, is(empty()));
            await(target.close());
        }
    }

    private static void sendUntilClosed(DatagramEndpoint sender, InetSocketAddress target, int thread,
            Set<Integer> accepted) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS_BOUND);
        for (int i = 0; i < 25 && System.nanoTime() < deadline; ) {
            int id = thread * 1000 + i;
            try {
                if (sender.send(ByteBuffer.allocate(4).putInt(0, id), target)) {
                    accepted.add(id);
                    i++;
                } else {
                    Thread.yield(); // full: retry, as a user waiting for writability would
                }
            } catch (EndpointClosedException e) {
                return;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Once its loop is closed, an endpoint reports {@code isClosed()}, refuses every send with
     * {@link EndpointClosedException} leaving the buffer untouched, and its {@code close()}
     * stage still completes (normally or not); a bind on the closed loop fails its stage with
     * {@link java.util.concurrent.RejectedExecutionException}.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void everySendAfterTheLoopClosedIsRefusedAndTheEndpointReportsClosed() throws Exception {
        EventLoop loop = loop();
        DatagramEndpoint endpoint = bind(V4, new RecordingHandler(), loop);
        InetSocketAddress somewhere = new InetSocketAddress("127.0.0.1", endpoint.localAddress().getPort());
        loop.close();
        for (int i = 0; i < 100; i++) {
            ByteBuffer data = RecordingHandler.text("after the loop closed " + i);
            int n = i;
            assertThrows(EndpointClosedException.class, () -> endpoint.send(data, somewhere), () -> "send " + n);
            assertThat("a refused buffer is untouched", data.position(), is(0));
        }
        assertThat("isClosed() once the loop closed", endpoint.isClosed(), is(true));
        // close() still completes (its socket went with the loop).
        endpoint.close().toCompletableFuture().handle((v, e) -> null).get(SECONDS_BOUND, SECONDS);
        var failed = assertThrows(ExecutionException.class,
                () -> Udp.bind(V4, new RecordingHandler(), loop).toCompletableFuture().get(SECONDS_BOUND, SECONDS));
        assertThat(failed.getCause(), is(instanceOf(RejectedExecutionException.class)));
    }

    /**
     * A handler whose {@code onOpen} throws could not take the endpoint: the open stage fails
     * with that throwable, the socket is released (its port can be bound again), {@code onClose}
     * is not called (the endpoint was never handed out), and the loop goes on.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void anExceptionOrErrorFromOnOpenFailsTheBindAndReleasesTheSocket() throws Exception {
        EventLoop loop = loop();
        List<Throwable> all = thrown();
        all.add(null); // stands for a real StackOverflowError
        for (Throwable t : all) {
            CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
            CompletableFuture<String> onClose = new CompletableFuture<>();
            RecordingHandler handler = new RecordingHandler() {
                @Override
                public void onOpen(DatagramEndpoint endpoint) {
                    bound.complete(endpoint.localAddress());
                    if (t == null) {
                        EventLoopContract.recurseForever();
                    }
                    EventLoopContract.throwUnchecked(t);
                }

                @Override
                public void onClose(DatagramEndpoint endpoint) {
                    onClose.complete("onClose called for an endpoint never handed out");
                }
            };
            String what = t == null ? "a StackOverflowError" : String.valueOf(t);
            var failed = assertThrows(ExecutionException.class,
                    () -> Udp.bind(V4, handler, loop).toCompletableFuture().get(SECONDS_BOUND, SECONDS),
                    "the bind must fail after onOpen threw " + what);
            if (t == null) {
                assertThat(failed.getCause(), is(instanceOf(StackOverflowError.class)));
            } else {
                assertThat(failed.getCause(), is(sameInstance(t)));
            }
            InetSocketAddress port = bound.get(SECONDS_BOUND, SECONDS);
            DatagramEndpoint again = bind(port, new RecordingHandler(), loop);
            await(again.close());
            assertThat(onLoop(loop, () -> onClose.getNow("no onClose")), is("no onClose"));
        }
        assertThat(onLoop(loop, () -> "the loop goes on"), is("the loop goes on"));
    }

    /**
     * Whether {@code handled}, what the loop's exception handler received, is {@code thrown} or
     * carries it as a cause: a transport may wrap it to name the callback and the endpoint.
     */
    static boolean isOrWraps(Throwable handled, Throwable thrown) {
        for (Throwable c = handled; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c == thrown) {
                return true;
            }
        }
        return false;
    }

    /**
     * An {@link IllegalStateException}, an {@link OutOfMemoryError}, an {@link AssertionError}
     * and a real {@link StackOverflowError} thrown by {@code onDatagram} are each reported (to
     * {@code onError}, or an error to the loop's exception handler), and the next datagram is
     * still delivered.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void anExceptionOrErrorFromOnDatagramIsReportedAndReceivingGoesOn() throws Exception {
        EventLoop loop = loop();
        List<Throwable> all = thrown();
        all.add(null); // a real StackOverflowError
        RecordingHandler handler = new RecordingHandler() {
            int calls;

            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                super.onDatagram(endpoint, data, sender);
                int n = calls++;
                if (n < all.size()) {
                    if (all.get(n) == null) {
                        EventLoopContract.recurseForever();
                    }
                    EventLoopContract.throwUnchecked(all.get(n));
                }
            }
        };
        DatagramEndpoint receiver = bind(V4, handler, loop);
        DatagramEndpoint sender = bind(V4, new RecordingHandler(), loop);
        for (int i = 0; i <= all.size(); i++) {
            sender.send(RecordingHandler.text("d" + i), receiver.localAddress());
            assertThat(handler.next(), is("d" + i));
            if (i < all.size()) {
                assertReported(handler, all.get(i));
            }
        }
        assertThat(receiver.isClosed(), is(false));
        await(receiver.close());
        await(sender.close());
    }

    /**
     * An {@link OutOfMemoryError} thrown by {@code onWritabilityChanged} is reported, the full
     * send queue still drains in order, and the endpoint turns writable and sends again.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void anErrorFromOnWritabilityChangedIsReportedAndTheQueueDrains() throws Exception {
        EventLoop loop = loop();
        RecordingHandler server = new RecordingHandler();
        DatagramEndpoint target = bind(V4, server, loop);
        Throwable error = new OutOfMemoryError("thrown by the test from onWritabilityChanged");
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
                super.onWritabilityChanged(endpoint, writable);
                throw (Error) error;
            }
        };
        DatagramEndpoint sender = bind(V4, handler, UdpOptions.builder().sendQueueDatagrams(2).build(), loop);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(hold(blocked, release));
        assertThat(opened(blocked), is(true));
        int accepted = 0;
        while (sender.send(RecordingHandler.text("q" + accepted), target.localAddress())) {
            accepted++;
            assertThat("a queue of 2 datagrams refused nothing after " + accepted, accepted <= 2, is(true));
        }
        release.countDown();
        for (int i = 0; i < accepted; i++) {
            assertThat(server.next(), is("q" + i));
        }
        awaitCondition("writable again", sender::isWritable);
        assertReported(handler, error);
        assertThat(sender.send(RecordingHandler.text("after"), target.localAddress()), is(true));
        assertThat(server.next(), is("after"));
        await(sender.close());
    }

    /**
     * What {@code onError} throws (here an {@link OutOfMemoryError}, while it reports what
     * {@code onDatagram} threw) goes to the loop's exception handler; the endpoint keeps
     * receiving and the loop keeps running.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void anExceptionOrErrorFromOnErrorGoesToTheLoopAndTheEndpointGoesOn() throws Exception {
        EventLoop loop = loop();
        Throwable fromOnError = new OutOfMemoryError("thrown by the test from onError");
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                super.onDatagram(endpoint, data, sender);
                throw new IllegalStateException("thrown by the test from onDatagram");
            }

            @Override
            public void onError(DatagramEndpoint endpoint, Throwable error) {
                super.onError(endpoint, error);
                throw (Error) fromOnError;
            }
        };
        DatagramEndpoint receiver = bind(V4, handler, loop);
        DatagramEndpoint sender = bind(V4, new RecordingHandler(), loop);
        for (String text : new String[] {"a", "b"}) {
            sender.send(RecordingHandler.text(text), receiver.localAddress());
            assertThat(handler.next(), is(text));
            assertThat(handler.nextError(), is(instanceOf(IllegalStateException.class)));
            if (hasExceptionHandler()) {
                Throwable got = handled.poll(SECONDS_BOUND, SECONDS);
                assertThat(String.valueOf(got), isOrWraps(got, fromOnError), is(true));
            }
        }
        assertThat(onLoop(loop, () -> "the loop goes on"), is("the loop goes on"));
        await(receiver.close());
        await(sender.close());
    }

    /**
     * What {@code onClose} throws goes to the loop's exception handler and the close stage
     * still completes, whether {@code close()} was called from another thread or from the loop
     * thread (where nothing may escape from {@code close()} itself); the loop goes on.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void anExceptionOrErrorFromOnCloseGoesToTheLoopAndCloseCompletes() throws Exception {
        EventLoop loop = loop();
        List<Throwable> all = thrown();
        for (Throwable t : all) {
            DatagramHandler handler = new RecordingHandler() {
                @Override
                public void onClose(DatagramEndpoint endpoint) {
                    super.onClose(endpoint);
                    EventLoopContract.throwUnchecked(t);
                }
            };
            DatagramEndpoint fromOutside = bind(V4, handler, loop);
            await(fromOutside.close());
            if (hasExceptionHandler()) {
                Throwable got = handled.poll(SECONDS_BOUND, SECONDS);
                assertThat(String.valueOf(got), isOrWraps(got, t), is(true));
            }
            // Closed from a task on the loop thread: nothing may escape from close() itself.
            DatagramEndpoint fromLoop = bind(V4, handler, loop);
            CompletableFuture<Void> closing = onLoop(loop, () -> fromLoop.close().toCompletableFuture());
            closing.get(SECONDS_BOUND, SECONDS);
            if (hasExceptionHandler()) {
                Throwable got = handled.poll(SECONDS_BOUND, SECONDS);
                assertThat(String.valueOf(got), isOrWraps(got, t), is(true));
            }
        }
        assertThat(onLoop(loop, () -> "the loop goes on"), is("the loop goes on"));
    }

    /**
     * A send with a {@code null} buffer or target, an unresolved target, port 0, a {@link
     * java.net.SocketAddress} that is not an {@link InetSocketAddress}, or an IPv6 target from
     * an IPv4 socket is refused with {@link NullPointerException} or {@link
     * InvalidAddressException} naming the value in quotes; the buffer is untouched and the
     * endpoint still sends from any thread.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void everyBadSendIsRefusedWithItsTypeNamingTheValueAndTheEndpointStaysUsable() throws Exception {
        EventLoop loop = loop();
        RecordingHandler receiver = new RecordingHandler();
        DatagramEndpoint target = bind(V4, receiver, loop);
        DatagramEndpoint sender = bind(V4, new RecordingHandler(), loop);
        InetSocketAddress to = target.localAddress();
        ByteBuffer data = RecordingHandler.text("x");

        assertThrows(NullPointerException.class, () -> sender.send(null, to));
        assertThrows(NullPointerException.class, () -> sender.send(data, null));
        var e = assertThrows(InvalidAddressException.class,
                () -> sender.send(data, InetSocketAddress.createUnresolved("no.such.host.invalid", 9)));
        assertThat(e.getMessage(), containsString("'no.such.host.invalid"));
        e = assertThrows(InvalidAddressException.class, () -> sender.send(data, new InetSocketAddress("127.0.0.1", 0)));
        assertThat(e.getMessage(), containsString("127.0.0.1:0'"));
        e = assertThrows(InvalidAddressException.class, () -> sender.send(data, new SocketAddress() {
            @Override
            public String toString() {
                return "a-foreign-address";
            }
        }));
        assertThat(e.getMessage(), containsString("a-foreign-address'"));
        e = assertThrows(InvalidAddressException.class, () -> sender.send(data, new InetSocketAddress("::1", 9)));
        assertThat(e.getMessage(), anyOf(containsString("::1"), containsString("0:0:0:0:0:0:0:1")));
        assertThat("refused sends leave the buffer untouched", data.remaining(), is(1));

        assertThat(sender.send(RecordingHandler.text("still usable"), to), is(true));
        assertThat(receiver.next(), is("still usable"));
        assertThat(onLoop(loop, () -> sender.send(RecordingHandler.text("from the loop"), to)), is(true));
        assertThat(receiver.next(), is("from the loop"));
        await(sender.close());
        await(target.close());
    }

    /**
     * A bind with a {@code null} handler throws {@link NullPointerException}, one with an
     * unresolved address {@link InvalidAddressException} naming it, and one on a port in use
     * fails its stage with the system's {@link IOException}; the loop and the endpoint holding
     * the port are untouched.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    public void everyBadBindIsRefusedWithItsType() throws Exception {
        EventLoop loop = loop();
        assertThrows(NullPointerException.class, () -> Udp.bind(V4, null, loop));
        var e = assertThrows(InvalidAddressException.class,
                () -> Udp.bind(InetSocketAddress.createUnresolved("no.such.host.invalid", 0), new RecordingHandler(), loop));
        assertThat(e.getMessage(), containsString("'no.such.host.invalid"));
        DatagramEndpoint taken = bind(V4, new RecordingHandler(), loop);
        var failed = assertThrows(ExecutionException.class, () -> Udp.bind(taken.localAddress(), new RecordingHandler(),
                loop).toCompletableFuture().get(SECONDS_BOUND, SECONDS));
        assertThat("binding a port in use fails the stage with the system's IOException",
                failed.getCause(), is(instanceOf(IOException.class)));
        // The loop and the first endpoint are untouched.
        RecordingHandler receiver = new RecordingHandler();
        DatagramEndpoint other = bind(V4, receiver, loop);
        assertThat(taken.send(RecordingHandler.text("still fine"), other.localAddress()), is(true));
        assertThat(receiver.next(), is("still fine"));
    }

    /**
     * Out-of-range {@link UdpOptions} values (sizes of 0 or 65,528, negative buffers, a TTL of
     * 256, zero reads per event, a send queue smaller than a datagram) are refused with {@link
     * IllegalArgumentException} naming the value in quotes.
     */
    @Test
    public void absurdOptionValuesAreRefusedNamingTheValue() {
        record Bad(String value, Runnable call) {
        }
        for (Bad bad : List.of(
                new Bad("0", () -> UdpOptions.builder().maxDatagramSize(0)),
                new Bad("65528", () -> UdpOptions.builder().maxDatagramSize(65_528)),
                new Bad("0", () -> UdpOptions.builder().sendQueueDatagrams(0)),
                new Bad("-1", () -> UdpOptions.builder().sendQueueBytes(-1)),
                new Bad("-1", () -> UdpOptions.builder().receiveBufferSize(-1)),
                new Bad("256", () -> UdpOptions.builder().multicastTtl(256)),
                new Bad("0", () -> UdpOptions.builder().readsPerEvent(0)),
                new Bad("100", () -> UdpOptions.builder().sendQueueBytes(100).build()))) {
            var e = assertThrows(IllegalArgumentException.class, bad.call::run);
            assertThat(e.getMessage(), containsString("'" + bad.value + "'"));
        }
    }

    /**
     * Keeps the buffers {@code onDatagram} lent, against the javadoc, and reads and sends them
     * after the endpoint and then the loop closed. The bytes may be stale and the calls may
     * throw; the process must survive. Runs last in case it does not.
     *
     * @throws Exception if the loop or an endpoint fails in a way the test does not expect;
     *     the test fails with it
     */
    @Test
    @Order(Integer.MAX_VALUE)
    public void aReceiveBufferKeptPastItsCallNeverCrashesTheProcess() throws Exception {
        for (int round = 0; round < 10; round++) {
            List<ByteBuffer> kept = new ArrayList<>();
            CountDownLatch got = new CountDownLatch(4);
            EventLoop loop = loop();
            DatagramEndpoint receiver = bind(V4, (endpoint, data, sender) -> {
                kept.add(data); // kept past the call, on purpose
                got.countDown();
            }, loop);
            DatagramEndpoint sender = bind(V4, new RecordingHandler(), loop);
            for (int i = 0; i < 4; i++) {
                sender.send(payload(1000, i), receiver.localAddress());
            }
            assertThat(opened(got), is(true));
            // Still open: send a kept buffer again through the endpoint it came from.
            List<ByteBuffer> copies = onLoop(loop, () -> new ArrayList<>(kept));
            touch(copies, receiver, sender.localAddress());
            await(receiver.close());
            touch(copies, sender, receiver.localAddress());
            await(sender.close());
            loop.close();
            System.gc();
            touch(copies, null, null);
            EventLoop other = loop();
            RecordingHandler target = new RecordingHandler();
            DatagramEndpoint targetEndpoint = bind(V4, target, other);
            DatagramEndpoint out = bind(V4, new RecordingHandler(), other);
            touch(copies, out, targetEndpoint.localAddress());
            assertThat(onLoop(other, () -> "the fresh loop runs"), is("the fresh loop runs"));
        }
    }

    /** Reads every byte of each kept buffer and sends it; exceptions are allowed, a crash is not. */
    private static void touch(List<ByteBuffer> kept, DatagramEndpoint via, InetSocketAddress to) {
        for (ByteBuffer b : kept) {
            try {
                ByteBuffer view = b.duplicate().clear();
                long sum = 0;
                while (view.hasRemaining()) {
                    sum += view.get();
                }
                if (via != null && sum != Long.MIN_VALUE) {
                    via.send(b.duplicate().clear().limit(Math.min(1000, b.capacity())), to);
                }
            } catch (RuntimeException allowed) {
                // Misuse may be refused; it must not take the process down.
            }
        }
    }
}
