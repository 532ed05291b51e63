// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.loopwire.transport.tcp.BufferedStreamHandler;
import dev.loopwire.transport.tcp.OutputClosedException;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Part of the stream contract (run it through {@link StreamContract}): whatever a handler
 * throws from any callback, {@link Error}s included, goes to {@code onError} (or, from
 * {@code onError} and {@code onClose}, to the loop), and the connection and the loop go on.
 */
public abstract class StreamFailureContract extends StreamFlowContract {

    /** For subclasses. */
    protected StreamFailureContract() {
    }

    static Throwable thrown(String kind, String where) {
        return switch (kind) {
            case "exception" -> new IllegalStateException("thrown by " + where);
            case "stackoverflow" -> new StackOverflowError("thrown by " + where);
            case "oom" -> new OutOfMemoryError("thrown by " + where);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static RuntimeException sneaky(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        throw (RuntimeException) t;
    }

    /** Throws from every callback, records what reached onError and what it saw. */
    static final class Thrower extends StreamRecorder {
        final String kind;

        Thrower(String kind) {
            this.kind = kind;
        }

        @Override
        public void onOpen(TcpConnection c) {
            super.onOpen(c);
            throw sneaky(thrown(kind, "onOpen"));
        }

        @Override
        public void onData(TcpConnection c, ByteBuffer data) {
            ByteBuffer copy = data.duplicate();
            super.onData(c, data);
            c.write(copy);
            throw sneaky(thrown(kind, "onData"));
        }

        @Override
        public void onWritabilityChanged(TcpConnection c, boolean writable) {
            super.onWritabilityChanged(c, writable);
            throw sneaky(thrown(kind, "onWritabilityChanged"));
        }

        @Override
        public boolean onEndOfInput(TcpConnection c) {
            super.onEndOfInput(c);
            throw sneaky(thrown(kind, "onEndOfInput"));
        }

        @Override
        public void onError(TcpConnection c, Throwable error) {
            super.onError(c, error);
            throw sneaky(thrown(kind, "onError"));
        }

        @Override
        public void onClose(TcpConnection c) {
            super.onClose(c);
            throw sneaky(thrown(kind, "onClose"));
        }
    }

    static List<String> messages(StreamRecorder r) {
        return r.errors.stream().map(Throwable::getMessage).toList();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exception", "stackoverflow", "oom"})
    void whatEveryCallbackThrowsGoesToOnErrorAndTheConnectionGoesOn(String kind) throws Exception {
        Thrower server = new Thrower(kind);
        TcpListener listener = listen(V4, () -> server,
                TcpOptions.builder().writeBufferWaterMarks(0, 1).sendBufferSize(4 << 10).build());
        try (Socket peer = plainClient(listener)) {
            TcpConnection c = server.opened.get(20, SECONDS);
            peer.getOutputStream().write("one".getBytes());
            assertThat(new String(peer.getInputStream().readNBytes(3)), is("one"));
            peer.getOutputStream().write("two".getBytes());
            assertThat(new String(peer.getInputStream().readNBytes(3)), is("two"));
            // Unwritable then writable again: a large write the small send buffer cannot take at once.
            await(runOnLoop(() -> c.write(ByteBuffer.allocate(1 << 20))));
            assertThat(peer.getInputStream().readNBytes(1 << 20).length, is(1 << 20));
            peer.shutdownOutput();
            // onEndOfInput threw: taken as "close", so the connection closes once flushed.
            assertThat(peer.getInputStream().read(), is(-1));
            assertThat(server.closed.get(20, SECONDS), is(true));
            await(c.close());
        }
        assertThat(server.closes.get(), is(1));
        List<String> seen = messages(server);
        for (String where : List.of("onOpen", "onData", "onWritabilityChanged", "onEndOfInput")) {
            assertThat(seen, hasItem("thrown by " + where));
        }
        assertThat(server.writability.size() >= 2, is(true));
        // The loop survived what onError and onClose threw.
        assertThat(await(runOnLoop(() -> "alive")), is("alive"));
        await(listener.close());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exception", "stackoverflow", "oom"})
    void aThrowingHandlerFactoryResetsThatConnectionAndTheListenerGoesOn(String kind) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        StreamRecorder good = new StreamRecorder();
        Supplier<StreamHandler> factory = () -> {
            if (calls.incrementAndGet() == 1) {
                throw sneaky(thrown(kind, "factory"));
            }
            return good;
        };
        TcpListener listener = listen(V4, factory, TcpOptions.defaults());
        try (Socket first = plainClient(listener)) {
            first.getOutputStream().write(1);
            assertThat(first.getInputStream().read(), is(-1)); // reset or closed: nothing comes
        } catch (java.net.SocketException reset) {
            assertThat(reset.getMessage(), org.hamcrest.Matchers.containsString("reset"));
        }
        try (Socket second = plainClient(listener)) {
            assertThat(good.opened.get(20, SECONDS).remoteAddress(), is(second.getLocalSocketAddress()));
        }
        assertThat(await(runOnLoop(() -> "alive")), is("alive"));
        await(listener.close());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exception", "stackoverflow", "oom"})
    void aThrowingReleaseCallbackGoesToOnError(String kind) throws Exception {
        StreamRecorder server = new StreamRecorder() {
            @Override
            public void onOpen(TcpConnection c) {
                super.onOpen(c);
                ByteBuffer b = ByteBuffer.allocateDirect(2);
                b.put("ok".getBytes()).flip();
                c.writeNoCopy(b, x -> {
                    throw sneaky(thrown(kind, "onRelease"));
                });
                c.write(StreamRecorder.text("!"));
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.defaults());
        try (Socket peer = plainClient(listener)) {
            assertThat(new String(peer.getInputStream().readNBytes(3)), is("ok!"));
            Throwable error = server.errors.poll(20, SECONDS);
            assertThat(error.getMessage(), is("thrown by onRelease"));
        }
        await(server.opened.get().close());
        await(listener.close());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exception", "null"})
    void aBufferedHandlerWithoutABufferIsToldAndClosed(String kind) throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        BufferedStreamHandler broken = new BufferedStreamHandler() {
            @Override
            public ByteBuffer receiveBuffer(TcpConnection c) {
                if (kind.equals("null")) {
                    return null;
                }
                throw new IllegalStateException("no buffer today");
            }

            @Override
            public void onReceived(TcpConnection c, int bytes) {
            }

            @Override
            public void onError(TcpConnection c, Throwable error) {
                errors.add(error);
            }

            @Override
            public void onClose(TcpConnection c) {
                closed.complete(true);
            }
        };
        TcpListener listener = listen(V4, () -> broken, TcpOptions.defaults());
        try (Socket peer = plainClient(listener)) {
            peer.getOutputStream().write("data".getBytes());
            assertThat(closed.get(20, SECONDS), is(true));
            assertThat(errors.size(), is(1));
            assertThat(errors.get(0).getMessage(), org.hamcrest.Matchers.containsString(kind.equals("null")
                    ? "BufferedStreamHandler.receiveBuffer returned null" : "no buffer today"));
        }
        await(listener.close());
    }

    // ---- lifecycle attacks

    @org.junit.jupiter.api.Test
    void aCloseFromInsideOnDataDoesNotRunOnCloseInsideIt() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean inData = new java.util.concurrent.atomic.AtomicBoolean();
        List<String> order = new CopyOnWriteArrayList<>();
        StreamRecorder server = new StreamRecorder() {
            @Override
            public void onData(TcpConnection c, ByteBuffer data) {
                inData.set(true);
                order.add("data");
                c.write(StreamRecorder.text("bye"));
                c.close();
                c.abort(); // a second request changes nothing: the same stage, onClose once
                inData.set(false);
            }

            @Override
            public void onClose(TcpConnection c) {
                order.add(inData.get() ? "close inside onData" : "close");
                super.onClose(c);
            }
        };
        TcpListener listener = listen(V4, () -> server, TcpOptions.defaults());
        try (Socket peer = plainClient(listener)) {
            peer.getOutputStream().write("hi".getBytes());
            assertThat(server.closed.get(20, SECONDS), is(true));
            assertThat(order, is(List.of("data", "close")));
            assertThat(server.closes.get(), is(1));
        }
        await(listener.close());
    }

    @org.junit.jupiter.api.Test
    void shutdownOutputReturnsOneStageAndFailsItWhenTheConnectionEndsFirst() throws Exception {
        TcpListener listener = listen(V4, StreamEchoHandler::new, TcpOptions.defaults());
        TcpConnection c = await(Tcp.connect(listener.localAddress(), new StreamRecorder(), loop));
        await(c.abort());
        java.util.concurrent.CompletionStage<Void> fin = c.shutdownOutput();
        assertThat(c.shutdownOutput(), org.hamcrest.Matchers.sameInstance(fin));
        assertThat(failure(fin), org.hamcrest.Matchers.instanceOf(OutputClosedException.class));
        TcpConnection d = await(Tcp.connect(listener.localAddress(), new StreamRecorder(), loop));
        java.util.concurrent.CompletionStage<Void> sent = d.shutdownOutput();
        assertThat(d.shutdownOutput(), org.hamcrest.Matchers.sameInstance(sent));
        await(sent);
        await(d.close());
        await(listener.close());
    }

    @org.junit.jupiter.api.Test
    void withoutALoopTheCallersLoopIsUsed() throws Exception {
        TcpListener listener = listen(V4, StreamEchoHandler::new, TcpOptions.defaults());
        java.util.concurrent.CompletableFuture<java.util.concurrent.CompletionStage<TcpConnection>> from =
                new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> from.complete(Tcp.connect(listener.localAddress(), new StreamRecorder())));
        TcpConnection c = await(from.get(20, SECONDS));
        assertThat(c.loop(), is(loop));
        await(c.close());
        await(listener.close());
    }

    @org.junit.jupiter.api.Test
    void afterItsLoopClosedAConnectionRefusesWritesNamingTheLoopAndItsCloseCompletes() throws Exception {
        TcpListener listener = listen(V4, StreamEchoHandler::new, TcpOptions.defaults());
        TcpConnection c = await(Tcp.connect(listener.localAddress(), new StreamRecorder(), loop));
        loop.close();
        OutputClosedException e = org.junit.jupiter.api.Assertions.assertThrows(OutputClosedException.class,
                () -> c.write(StreamRecorder.text("x")));
        assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("its loop '" + loop.name() + "' is closed"));
        await(c.close());
        assertThat(c.isClosed(), is(true));
        assertThat(failure(c.shutdownOutput()), org.hamcrest.Matchers.instanceOf(OutputClosedException.class));
        Throwable refused = failure(Tcp.connect(listener.localAddress(), new StreamRecorder(), loop));
        assertThat(refused, org.hamcrest.Matchers.instanceOf(java.util.concurrent.RejectedExecutionException.class));
        await(listener.close());
    }
}
