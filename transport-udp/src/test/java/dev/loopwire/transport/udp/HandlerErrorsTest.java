// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static dev.loopwire.transport.udp.UdpTestSupport.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link DatagramHandler} callback throwing an {@code Error} from user code (a
 * {@code StackOverflowError}, an {@code OutOfMemoryError}), on every loop: the loop keeps running,
 * nothing is lost silently, the endpoint ends in a defined state (issue #10, item 9 and the
 * callbacks' error policy).
 */
class HandlerErrorsTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);

    static Stream<Arguments> loopsAndErrors() {
        return LoopFactories.all().flatMap(loop -> Stream.<Named<Supplier<Error>>>of(
                Named.of("StackOverflowError", () -> new StackOverflowError("thrown by the test's handler")),
                Named.of("OutOfMemoryError", () -> new OutOfMemoryError("thrown by the test's handler")))
                .map(error -> Arguments.of(loop, error)));
    }

    /** The loop still runs tasks. */
    private static void assertLoopRuns(EventLoop loop) throws Exception {
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        loop.execute(() -> ran.complete(loop.inLoop()));
        assertThat(ran.get(10, SECONDS), is(true));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("loopsAndErrors")
    void anErrorFromOnOpenFailsTheBindAndReleasesThePort(Supplier<EventLoop> loops, Supplier<Error> errors)
            throws Exception {
        try (EventLoop loop = loops.get()) {
            Error thrown = errors.get();
            Recorder failing = new Recorder() {
                @Override
                public void onOpen(DatagramEndpoint endpoint) {
                    super.onOpen(endpoint);
                    endpoint.send(Recorder.text("queued before the failure"), new InetSocketAddress("127.0.0.1", 9));
                    throw thrown;
                }
            };
            // A port free now, to show that the failed bind let go of it.
            int port;
            try (var probe = java.nio.channels.DatagramChannel.open()) {
                probe.bind(V4);
                port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
            }
            InetSocketAddress fixed = new InetSocketAddress("127.0.0.1", port);
            ExecutionException failed = assertThrows(ExecutionException.class, () -> await(Udp.bind(fixed, failing, loop)));
            assertThat(failed.getCause(), sameInstance(thrown));
            DatagramEndpoint endpoint = failing.opened.get(10, SECONDS);
            assertThat(endpoint.isClosed(), is(true));
            assertThat("no onClose for an endpoint that never opened", failing.closed.isDone(), is(false));
            assertThrows(EndpointClosedException.class, () -> endpoint.send(Recorder.text("x"), fixed));
            // The socket is released: the same port binds again, and works.
            Recorder again = new Recorder();
            DatagramEndpoint rebound = await(Udp.bind(fixed, again, loop));
            DatagramEndpoint sender = await(Udp.bind(V4, new Recorder(), loop));
            sender.send(Recorder.text("after"), rebound.localAddress());
            assertThat(again.next(), is("after"));
            assertLoopRuns(loop);
            await(sender.close());
            await(rebound.close());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("loopsAndErrors")
    void anErrorFromOnDatagramGoesToOnErrorAndReceivingGoesOn(Supplier<EventLoop> loops, Supplier<Error> errors)
            throws Exception {
        try (EventLoop loop = loops.get()) {
            Error thrown = errors.get();
            Recorder receiver = new Recorder() {
                private int count;

                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                    super.onDatagram(endpoint, data, sender);
                    if (++count == 1) {
                        throw thrown;
                    }
                }
            };
            DatagramEndpoint self = await(Udp.bind(V4, receiver, loop));
            DatagramEndpoint sender = await(Udp.bind(V4, new Recorder(), loop));
            sender.send(Recorder.text("one"), self.localAddress());
            assertThat(receiver.next(), is("one"));
            assertThat(receiver.errors.poll(10, SECONDS), sameInstance(thrown));
            sender.send(Recorder.text("two"), self.localAddress());
            assertThat(receiver.next(), is("two"));
            assertLoopRuns(loop);
            await(self.close());
            assertThat(receiver.closed.get(10, SECONDS), is(true));
            await(sender.close());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("loopsAndErrors")
    void anErrorFromOnWritabilityChangedGoesToOnError(Supplier<EventLoop> loops, Supplier<Error> errors)
            throws Exception {
        try (EventLoop loop = loops.get()) {
            Error thrown = errors.get();
            Recorder handler = new Recorder() {
                @Override
                public void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
                    super.onWritabilityChanged(endpoint, writable);
                    throw thrown;
                }
            };
            Recorder target = new Recorder();
            DatagramEndpoint sink = await(Udp.bind(V4, target, loop));
            UdpOptions small = UdpOptions.builder().sendQueueDatagrams(2).build();
            DatagramEndpoint self = await(Udp.bind(V4, handler, small, loop));
            // From another thread, so that datagrams queue until the loop takes them.
            int accepted = 0;
            while (accepted < 10_000 && self.send(Recorder.text("d" + accepted), sink.localAddress())) {
                accepted++;
            }
            assertThat(handler.errors.poll(10, SECONDS), sameInstance(thrown));
            await(self.close());
            // Every accepted datagram arrived (loopback, a handful): none lost to the throwing callback.
            for (int i = 0; i < accepted; i++) {
                assertThat(target.next() != null, is(true));
            }
            assertLoopRuns(loop);
            await(sink.close());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("loopsAndErrors")
    void anErrorFromOnErrorAndFromOnCloseLeavesTheLoopRunning(Supplier<EventLoop> loops, Supplier<Error> errors)
            throws Exception {
        try (EventLoop loop = loops.get()) {
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            DatagramHandler hostile = new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                    got.add(java.nio.charset.StandardCharsets.UTF_8.decode(data).toString());
                    throw new IllegalStateException("expected by the test: onDatagram throws");
                }

                @Override
                public void onError(DatagramEndpoint endpoint, Throwable error) {
                    throw errors.get();
                }

                @Override
                public void onClose(DatagramEndpoint endpoint) {
                    throw errors.get();
                }
            };
            DatagramEndpoint self = await(Udp.bind(V4, hostile, loop));
            DatagramEndpoint sender = await(Udp.bind(V4, new Recorder(), loop));
            sender.send(Recorder.text("one"), self.localAddress());
            assertThat(got.poll(10, SECONDS), is("one"));
            assertLoopRuns(loop);
            sender.send(Recorder.text("two"), self.localAddress());
            assertThat(got.poll(10, SECONDS), is("two"));
            await(self.close()); // completes although onClose throws
            assertThat(self.isClosed(), is(true));
            assertLoopRuns(loop);
            // close() on the loop thread: onClose's error does not escape from close().
            DatagramEndpoint other = await(Udp.bind(V4, hostile, loop));
            CompletableFuture<Throwable> escaped = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    other.close();
                    escaped.complete(null);
                } catch (Throwable t) {
                    escaped.complete(t);
                }
            });
            assertThat(escaped.get(10, SECONDS) == null, is(true));
            await(other.close());
            assertLoopRuns(loop);
            await(sender.close());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(UdpTestSupport.LOOPS)
    void aRuntimeExceptionFromOnOpenFailsTheBindToo(Supplier<EventLoop> loops) throws Exception {
        try (EventLoop loop = loops.get()) {
            IllegalStateException thrown = new IllegalStateException("expected by the test: onOpen throws");
            ExecutionException failed = assertThrows(ExecutionException.class, () -> await(Udp.bind(V4,
                    new DatagramHandler() {
                        @Override
                        public void onOpen(DatagramEndpoint endpoint) {
                            throw thrown;
                        }

                        @Override
                        public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                        }
                    }, loop)));
            assertThat(failed.getCause(), instanceOf(IllegalStateException.class));
            assertThat(failed.getCause(), sameInstance(thrown));
            assertLoopRuns(loop);
        }
    }
}
