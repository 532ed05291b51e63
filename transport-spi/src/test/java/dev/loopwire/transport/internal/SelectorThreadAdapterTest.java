// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SelectorThreadAdapterTest {

    /**
     * A minimal loop on one executor thread that claims UringPort, as a completion loop
     * would, and keeps the close-hook contract: hooks on the loop thread, then the work they
     * started, then the end.
     */
    static final class ThreadLoop implements EventLoop {
        private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> new Thread(r, "test-loop"));
        private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
        private volatile boolean closed;
        private volatile boolean hooksRan;

        @Override
        public String name() {
            return "test-loop";
        }

        @Override
        public Set<Class<? extends Capability>> capabilities() {
            return Set.of(UringPort.class);
        }

        @Override
        public <C extends Capability> Optional<C> capability(Class<C> type) {
            return Optional.empty();
        }

        @Override
        public CloseHook addCloseHook(Runnable hook) {
            if (closed && !inLoop()) {
                throw new RejectedExecutionException("closed");
            }
            if (hooksRan) {
                execute(hook);
                return () -> false;
            }
            hooks.add(hook);
            return () -> hooks.remove(hook);
        }

        @Override
        public boolean inLoop() {
            return Thread.currentThread().getName().equals("test-loop");
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void execute(Runnable command) {
            if (closed && !inLoop()) {
                throw new RejectedExecutionException("closed");
            }
            executor.execute(command);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                executor.execute(() -> {
                    for (Runnable hook : hooks) {
                        hook.run();
                    }
                    hooksRan = true;
                    executor.execute(this::finish);
                });
            }
            if (!inLoop()) {
                try {
                    executor.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void finish() {
            if (executor.getQueue().isEmpty()) {
                executor.shutdown();
            } else {
                executor.execute(this::finish);
            }
        }
    }

    private final ThreadLoop loop = new ThreadLoop();
    private final FdReadiness readiness = new SelectorThreadAdapter().adapt(loop);

    @AfterEach
    void close() {
        loop.close();
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
        return Executors.newSingleThreadExecutor().submit(() -> {
            var f = new java.util.concurrent.CompletableFuture<T>();
            loop.execute(() -> {
                try {
                    f.complete(task.call());
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            });
            return f.get(10, TimeUnit.SECONDS);
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void readinessEventsRunOnTheLoopThreadUntilCancelled() throws Exception {
        DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        server.configureBlocking(false);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        FdReadiness.Registration reg = onLoop(() -> readiness.register(server, SelectionKey.OP_READ, (r, ops) -> {
            ByteBuffer buf = ByteBuffer.allocate(64);
            try {
                while (((DatagramChannel) r.channel()).receive(buf) != null) {
                    buf.flip();
                    received.add(loop.inLoop() + ":" + StandardCharsets.UTF_8.decode(buf));
                    buf.clear();
                }
            } catch (java.io.IOException e) {
                received.add("error " + e);
            }
        }));
        try (DatagramChannel client = DatagramChannel.open()) {
            for (int i = 0; i < 3; i++) {
                client.send(ByteBuffer.wrap(("d" + i).getBytes(StandardCharsets.UTF_8)), server.getLocalAddress());
                assertThat(received.poll(10, TimeUnit.SECONDS), is("true:d" + i));
            }
            onLoop(() -> {
                reg.cancel();
                return null;
            });
            assertThat(reg.isValid(), is(false));
            client.send(ByteBuffer.wrap("late".getBytes(StandardCharsets.UTF_8)), server.getLocalAddress());
            assertThat(received.poll(300, TimeUnit.MILLISECONDS), is((String) null));
        }
        server.close();
    }

    @Test
    void registrationOffTheLoopThreadIsRejected() throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.configureBlocking(false);
            var e = assertThrows(IllegalStateException.class, () -> readiness.register(ch, SelectionKey.OP_READ, (r, o) -> { }));
            assertThat(e.getMessage(), is("FdReadiness of loop 'test-loop' must be used on the loop thread;"
                    + " hand work over with execute()"));
        }
    }

    @Test
    void closingTheLoopClosesRegisteredChannels() throws Exception {
        DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        ch.configureBlocking(false);
        onLoop(() -> readiness.register(ch, SelectionKey.OP_READ, (r, o) -> { }));
        InetSocketAddress port = (InetSocketAddress) ch.getLocalAddress();
        loop.close();
        // Closed by the loop's close hook, before close() returned: the port is free at once.
        assertThat(ch.isOpen(), is(false));
        try (DatagramChannel again = DatagramChannel.open().bind(port)) {
            assertThat(again.getLocalAddress(), is(port));
        }
    }

    @Test
    void aCancelledDatagramChannelReleasesItsPortOnceCancelCompletesOnTheLoopThread() throws Exception {
        for (int round = 0; round < 50; round++) {
            DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            ch.configureBlocking(false);
            InetSocketAddress port = (InetSocketAddress) ch.getLocalAddress();
            CompletableFuture<Boolean> onLoopThread = new CompletableFuture<>();
            onLoop(() -> {
                readiness.register(ch, SelectionKey.OP_READ, (r, o) -> { }).cancel()
                        .whenComplete((v, e) -> onLoopThread.complete(loop.inLoop()));
                ch.close();
                return null;
            });
            assertThat("round " + round, onLoopThread.get(10, TimeUnit.SECONDS), is(true));
            try (DatagramChannel again = DatagramChannel.open().bind(port)) {
                assertThat("round " + round, again.getLocalAddress(), is(port));
            }
        }
    }

    @Test
    void aCancelledServerSocketChannelReleasesItsPortOnceCancelCompletes() throws Exception {
        for (int round = 0; round < 50; round++) {
            ServerSocketChannel ch = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            ch.configureBlocking(false);
            InetSocketAddress port = (InetSocketAddress) ch.getLocalAddress();
            CompletionStage<Void> released = onLoop(() -> {
                CompletionStage<Void> stage = readiness.register(ch, SelectionKey.OP_ACCEPT, (r, o) -> { }).cancel();
                ch.close();
                return stage;
            });
            released.toCompletableFuture().get(10, TimeUnit.SECONDS);
            try (ServerSocketChannel again = ServerSocketChannel.open().bind(port)) {
                assertThat("round " + round, again.getLocalAddress(), is(port));
            }
        }
    }

    @Test
    void whileTheLoopClosesWriteReadinessStillReachesTheHandlerBeforeTheChannelIsClosed() throws Exception {
        DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        ch.configureBlocking(false);
        List<String> events = new CopyOnWriteArrayList<>();
        FdReadiness.Registration reg = onLoop(() -> readiness.register(ch, SelectionKey.OP_READ, (r, ops) -> {
            events.add("ready " + ops + " inLoop=" + loop.inLoop() + " open=" + r.channel().isOpen());
            r.interestOps(SelectionKey.OP_READ); // flushed: no more output
        }));
        // Registered after the adapter's own hook: as an endpoint flushing on close would be.
        onLoop(() -> loop.addCloseHook(() -> reg.interestOps(SelectionKey.OP_WRITE)));
        loop.close();
        assertThat(events, is(List.of("ready " + SelectionKey.OP_WRITE + " inLoop=true open=true")));
        assertThat(ch.isOpen(), is(false));
    }
}
