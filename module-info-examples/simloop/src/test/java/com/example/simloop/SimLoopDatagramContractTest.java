package com.example.simloop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.tck.DatagramContract;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The simulated loop's own UDP (its in-memory network) keeps loopwire's datagram contract. */
class SimLoopDatagramContractTest extends DatagramContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        return SimLoop.builder().exceptionHandler(exceptionHandler).open();
    }

    private static void recurse() {
        recurse();
    }

    /**
     * Replaces the kit's test of the same name, which expects the bind to complete after
     * {@code onOpen} threw. loopwire's {@code DatagramHandler} javadoc, and its own endpoints on
     * every loop, decide otherwise: the bind's stage fails with what {@code onOpen} threw, the
     * address is released first, and {@code onClose} is not called. The simulated UDP keeps the
     * API's decision (the kit's version fails on the selector and completion loops as well).
     */
    @Override
    @Test
    public void anExceptionOrErrorFromOnOpenIsReportedAndTheEndpointOpens() throws Exception {
        try (SimLoop loop = SimLoop.open()) {
            for (Throwable thrown : List.of(new IllegalStateException("thrown by the test"),
                    new OutOfMemoryError("thrown by the test"), new AssertionError("thrown by the test"))) {
                assertBindFailsWith(loop, thrown);
            }
            assertBindFailsWith(loop, null); // a real StackOverflowError
        }
    }

    private static void assertBindFailsWith(EventLoop loop, Throwable thrown) throws Exception {
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        AtomicBoolean closeCalled = new AtomicBoolean();
        DatagramHandler failing = new DatagramHandler() {
            @Override
            public void onOpen(DatagramEndpoint endpoint) {
                bound.complete(endpoint.localAddress());
                if (thrown == null) {
                    recurse();
                }
                if (thrown instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) thrown;
            }

            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
            }

            @Override
            public void onClose(DatagramEndpoint endpoint) {
                closeCalled.set(true);
            }
        };
        var failed = assertThrows(ExecutionException.class, () -> Udp.bind(new InetSocketAddress("127.0.0.1", 0),
                failing, loop).toCompletableFuture().get(10, TimeUnit.SECONDS));
        if (thrown == null) {
            assertThat(failed.getCause(), is(instanceOf(StackOverflowError.class)));
        } else {
            assertThat(failed.getCause(), is(sameInstance(thrown)));
        }
        // The address was released before the stage failed: it can be bound again at once.
        CompletableFuture<String> got = new CompletableFuture<>();
        DatagramEndpoint again = Udp.bind(bound.get(10, TimeUnit.SECONDS),
                (e, data, sender) -> got.complete("received"), loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
        again.send(ByteBuffer.allocate(1), again.localAddress());
        assertThat(got.get(10, TimeUnit.SECONDS), is("received"));
        again.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat("onClose of an endpoint never handed out", closeCalled.get(), is(false));
    }
}
