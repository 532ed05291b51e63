package dev.loopwire.transport.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SelectorThreadAdapterTest {

    /** A minimal loop on one executor thread that claims CompletionPort, as a completion loop would. */
    static final class ThreadLoop implements EventLoop {
        private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-loop"));
        private volatile boolean closed;

        @Override
        public String name() {
            return "test-loop";
        }

        @Override
        public Set<Class<? extends Capability>> capabilities() {
            return Set.of(CompletionPort.class);
        }

        @Override
        public <C extends Capability> Optional<C> capability(Class<C> type) {
            return Optional.empty();
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
            executor.execute(command);
        }

        @Override
        public void close() {
            closed = true;
            executor.shutdown();
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
        loop.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ch.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ch.isOpen(), is(false));
    }
}
