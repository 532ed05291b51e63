// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.AttackSupport.onLoop;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Attacks on {@code FdReadiness.Registration.cancel()}'s stage, "completed on the loop thread
 * once a select has deregistered the key (or the loop has closed), never exceptionally", on the
 * selector loop's public capability: twice, from another thread, re-registered in the same turn,
 * 1,000 in one turn, dependants throwing {@code Error}s, during and after close, ports bound again
 * once it completes.
 */
class AttackCancelStageTest {

    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 0);
    private static final FdReadiness.ReadyHandler DRAIN = (r, ops) -> drain((DatagramChannel) r.channel());

    static DatagramChannel udp() throws IOException {
        DatagramChannel ch = DatagramChannel.open().bind(LOCAL);
        ch.configureBlocking(false);
        return ch;
    }

    static void drain(DatagramChannel ch) {
        try {
            while (ch.receive(ByteBuffer.allocate(64)) != null) {
                // drained
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void cancelTwiceGivesTheSameStageAnotherThreadIsRefusedAndTheStageCompletesOnTheLoopThread() throws Exception {
        EventLoop loop = AttackSupport.open("selector");
        try (DatagramChannel ch = udp()) {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            FdReadiness.Registration reg = onLoop(loop, () -> fd.register(ch, SelectionKey.OP_READ, DRAIN));
            IllegalStateException e = assertThrows(IllegalStateException.class, reg::cancel);
            assertThat(e.getMessage(), containsString(Thread.currentThread().getName()));
            assertThat("a refused cancel from another thread leaves it registered",
                    onLoop(loop, reg::isValid), is(true));
            CompletableFuture<Boolean> onLoopThread = new CompletableFuture<>();
            List<CompletionStage<Void>> stages = onLoop(loop, () -> {
                CompletionStage<Void> first = reg.cancel();
                first.thenRun(() -> onLoopThread.complete(loop.inLoop()));
                assertThat("invalid as soon as cancel() returns", reg.isValid(), is(false));
                return List.of(first, reg.cancel());
            });
            assertThat(stages.get(1), sameInstance(stages.get(0)));
            assertThat(get(onLoopThread), is(true));
            assertThat("cancelled again after it completed: the same, completed stage",
                    onLoop(loop, () -> reg.cancel() == stages.get(0)), is(true));
            // A hostile caller cannot complete (or fail) the stage the loop owns.
            CompletionStage<Void> stage = stages.get(0);
            if (stage instanceof CompletableFuture<Void> f) {
                assertThrows(UnsupportedOperationException.class, () -> f.completeExceptionally(new Error("forged")));
            }
        } finally {
            closeBounded(loop);
        }
    }

    @Test
    void cancelledAndRegisteredAgainInTheSameHandlerTheNewHandlerGetsTheNextDatagram() throws Exception {
        EventLoop loop = AttackSupport.open("selector");
        try (DatagramChannel ch = udp(); DatagramChannel tx = DatagramChannel.open()) {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            CompletableFuture<CompletionStage<Void>> oldStage = new CompletableFuture<>();
            CompletableFuture<FdReadiness.Registration> second = new CompletableFuture<>();
            AtomicInteger firstCalls = new AtomicInteger();
            AtomicInteger secondCalls = new AtomicInteger();
            onLoop(loop, () -> fd.register(ch, SelectionKey.OP_READ, (r, ops) -> {
                firstCalls.incrementAndGet();
                drain(ch);
                oldStage.complete(r.cancel());
                try {
                    second.complete(fd.register(ch, SelectionKey.OP_READ, (r2, ops2) -> {
                        secondCalls.incrementAndGet();
                        drain(ch);
                    }));
                } catch (IOException | RuntimeException e) {
                    second.completeExceptionally(e);
                }
            }));
            tx.send(ByteBuffer.wrap(new byte[] {1}), ch.getLocalAddress());
            get(oldStage.get(10, TimeUnit.SECONDS));
            FdReadiness.Registration again = second.get(10, TimeUnit.SECONDS);
            assertThat(onLoop(loop, again::isValid), is(true));
            tx.send(ByteBuffer.wrap(new byte[] {2}), ch.getLocalAddress());
            assertThat(AttackSupport.await(() -> secondCalls.get() == 1), is(true));
            assertThat("the cancelled handler is not called again", firstCalls.get(), is(1));
            get(onLoop(loop, again::cancel));
        } finally {
            closeBounded(loop);
        }
    }

    @Test
    void aThousandCancelsInOneTurnAllCompleteDependantsThrowingErrorsHurtNoneAndEveryPortIsFree() throws Exception {
        AttackSupport.Handled handled = new AttackSupport.Handled();
        EventLoop loop = AttackSupport.openWithHandler("selector", handled);
        int n = 1_000;
        List<DatagramChannel> channels = new ArrayList<>();
        List<InetSocketAddress> ports = new ArrayList<>();
        try {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            List<FdReadiness.Registration> regs = onLoop(loop, () -> {
                List<FdReadiness.Registration> r = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    DatagramChannel ch = udp();
                    channels.add(ch);
                    ports.add((InetSocketAddress) ch.getLocalAddress());
                    r.add(fd.register(ch, SelectionKey.OP_READ, DRAIN));
                }
                return r;
            });
            StackOverflowError soe = AttackSupport.realStackOverflow();
            OutOfMemoryError oom = new OutOfMemoryError("user OOM in a cancel stage's dependant");
            List<CompletableFuture<Void>> freed = new ArrayList<>();
            List<CompletableFuture<Void>> throwers = new ArrayList<>();
            onLoop(loop, () -> {
                for (int i = 0; i < n; i++) {
                    DatagramChannel ch = channels.get(i);
                    CompletionStage<Void> stage = regs.get(i).cancel();
                    ch.close(); // the owner closes right after cancel(), as a transport does
                    if (i % 10 == 0) {
                        Error error = i % 20 == 0 ? soe : oom;
                        throwers.add(stage.thenRun(() -> {
                            throw error;
                        }).toCompletableFuture());
                    }
                    freed.add(stage.toCompletableFuture());
                }
                return null;
            });
            CompletableFuture.allOf(freed.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Void> t : throwers) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> t.get(10, TimeUnit.SECONDS));
                assertThat("a dependant's Error is kept by its own stage, not lost",
                        e.getCause() == soe || e.getCause() == oom, is(true));
            }
            assertThat("the loop goes on", onLoop(loop, () -> "alive"), is("alive"));
            for (int i = 0; i < n; i += 10) {
                try (DatagramChannel again = DatagramChannel.open().bind(ports.get(i))) {
                    assertThat("channel " + i, again.getLocalAddress(), is(ports.get(i)));
                }
            }
        } finally {
            closeBounded(loop);
        }
        assertThat("no channel's socket outlived its stage", channels.stream().allMatch(c -> !c.isOpen()), is(true));
    }

    @Test
    void everyPortIsFreeOnceItsStageCompletesUdpAndTcpListener() throws Exception {
        EventLoop loop = AttackSupport.open("selector");
        try {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            for (int round = 0; round < 20; round++) {
                DatagramChannel ch = udp();
                InetSocketAddress udpPort = (InetSocketAddress) ch.getLocalAddress();
                ServerSocketChannel listener = ServerSocketChannel.open();
                listener.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, false);
                listener.bind(LOCAL).configureBlocking(false);
                InetSocketAddress tcpPort = (InetSocketAddress) listener.getLocalAddress();
                List<CompletionStage<Void>> stages = onLoop(loop, () -> {
                    FdReadiness.Registration u = fd.register(ch, SelectionKey.OP_READ, DRAIN);
                    FdReadiness.Registration t = fd.register(listener, SelectionKey.OP_ACCEPT, (r, ops) -> { });
                    CompletionStage<Void> su = u.cancel();
                    CompletionStage<Void> st = t.cancel();
                    ch.close();
                    listener.close();
                    return List.of(su, st);
                });
                get(stages.get(0));
                get(stages.get(1));
                try (DatagramChannel again = DatagramChannel.open().bind(udpPort)) {
                    assertThat("round " + round, again.getLocalAddress(), is(udpPort));
                }
                try (ServerSocketChannel again = ServerSocketChannel.open()) {
                    again.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, false);
                    again.bind(tcpPort);
                    assertThat("round " + round, again.getLocalAddress(), is(tcpPort));
                }
            }
        } finally {
            closeBounded(loop);
        }
    }

    @Test
    void stagesOfCancelsMadeWhileTheLoopClosesCompleteBeforeCloseReturns() throws Exception {
        EventLoop loop = AttackSupport.open("selector");
        DatagramChannel a = udp();
        DatagramChannel b = udp();
        FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
        List<FdReadiness.Registration> regs = onLoop(loop,
                () -> List.of(fd.register(a, SelectionKey.OP_READ, DRAIN), fd.register(b, SelectionKey.OP_READ, DRAIN)));
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> chained = new CompletableFuture<>();
        AtomicBoolean onLoopThread = new AtomicBoolean(true);
        loop.addCloseHook(() -> regs.get(0).cancel().thenRun(() -> {
            onLoopThread.compareAndSet(true, loop.inLoop());
            first.complete(null);
            // A dependant that cancels another registration while the loop closes.
            regs.get(1).cancel().thenRun(() -> {
                onLoopThread.compareAndSet(true, loop.inLoop());
                chained.complete(null);
            });
        }));
        closeBounded(loop);
        assertThat("completed before close() returned", first.isDone(), is(true));
        assertThat("a cancel made by a dependant while closing completed too", chained.isDone(), is(true));
        assertThat(onLoopThread.get(), is(true));
        a.close();
        b.close();
    }

    @Test
    void aLoopWhoseExceptionHandlerThrowsStillCompletesThePendingStages() throws Exception {
        CountDownLatch failing = new CountDownLatch(1);
        EventLoop loop = AttackSupport.openWithHandler("selector", t -> {
            failing.countDown();
            throw new OutOfMemoryError("the exception handler fails the loop");
        });
        try (DatagramChannel ch = udp()) {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            FdReadiness.Registration reg = onLoop(loop, () -> fd.register(ch, SelectionKey.OP_READ, DRAIN));
            CompletableFuture<CompletableFuture<Void>> stage = new CompletableFuture<>();
            loop.execute(() -> {
                stage.complete(reg.cancel().toCompletableFuture());
                throw new IllegalStateException("a task that throws: the handler then fails the loop");
            });
            assertThat(failing.await(10, TimeUnit.SECONDS), is(true));
            stage.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            assertThat(AttackSupport.await(loop::isClosed), is(true));
        } finally {
            closeBounded(loop);
        }
    }
    @Test
    void registeringFromAStageDependantAfterTheLoopClosedItsSelectorIsRefusedWithAnIoException() throws Exception {
        CountDownLatch failing = new CountDownLatch(1);
        EventLoop loop = AttackSupport.openWithHandler("selector", t -> {
            failing.countDown();
            throw new IllegalStateException("the exception handler fails the loop");
        });
        try (DatagramChannel ch = udp(); DatagramChannel late = udp()) {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            FdReadiness.Registration reg = onLoop(loop, () -> fd.register(ch, SelectionKey.OP_READ, DRAIN));
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            // The failed loop runs its hooks, then closes its selector, then completes the stage.
            loop.addCloseHook(() -> reg.cancel().thenRun(() -> {
                try {
                    fd.register(late, SelectionKey.OP_READ, DRAIN);
                    refused.complete(null);
                } catch (Throwable t) {
                    refused.complete(t);
                }
            }));
            loop.execute(() -> {
                throw new IllegalStateException("a task that throws: the handler then fails the loop");
            });
            Throwable t = refused.get(10, TimeUnit.SECONDS);
            assertThat(String.valueOf(t), t instanceof IOException, is(true));
            assertThat(t.getMessage(), containsString(loop.name()));
            assertThat("the channel stays its owner's", late.isOpen(), is(true));
        } finally {
            closeBounded(loop);
        }
    }
}
