// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static dev.loopwire.tck.Waits.SECONDS_BOUND;
import static dev.loopwire.tck.Waits.onLoop;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link FdReadiness} for loop authors: what {@code register},
 * {@code interestOps} and {@code cancel} guarantee, that they are refused off the loop thread,
 * that a throwing handler leaves the loop and the registration running, and that the loop
 * closes what is still registered when it closes. Real channels on 127.0.0.1 only.
 *
 * <p>Extend it with the method that opens your loop; override {@link #readiness} if the facet
 * does not come from {@code loop.capability(FdReadiness.class)}:
 *
 * <pre>{@code
 * class MyLoopReadinessTest extends FdReadinessContract {
 *     protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
 *         return MyLoop.builder().exceptionHandler(exceptionHandler).open();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> Each test opens its own loop and closes it afterwards, with every
 * channel it opened. Waits are bounded (ten seconds); the few checks that something did
 * <em>not</em> happen wait 200 ms.
 *
 * <p><b>Concurrency.</b> The suite calls the facet on the loop thread through
 * {@link EventLoop#execute}, except where it checks that other threads are refused.
 */
public abstract class FdReadinessContract {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** What the loop under test passed to its exception handler. */
    protected final LinkedBlockingQueue<Throwable> handled = new LinkedBlockingQueue<>();

    /**
     * Opens a new, running loop whose exception handler is {@code exceptionHandler}.
     *
     * @param exceptionHandler receives every {@link Throwable} a task, timer or ready handler
     *     throws; a loop without a configurable handler ignores it and overrides
     *     {@link #hasExceptionHandler()}
     * @return the running loop under test, offering {@link FdReadiness}; never {@code null}; the
     *     suite closes it after the test
     */
    protected abstract EventLoop openLoop(Consumer<Throwable> exceptionHandler);

    /**
     * The facet under test.
     *
     * @param loop a loop opened by {@link #openLoop}
     * @return the loop's {@link FdReadiness} facet; never {@code null}
     * @implSpec The default is {@code loop.capability(FdReadiness.class)}, which must be
     *     present.
     */
    protected FdReadiness readiness(EventLoop loop) {
        return loop.capability(FdReadiness.class).orElseThrow(() -> new AssertionError(
                "loop '" + loop.name() + "' does not offer FdReadiness"));
    }

    /**
     * Whether {@link #openLoop} installs the given exception handler; see {@link EventLoopContract}.
     *
     * @return {@code true} if the handler passed to {@link #openLoop} receives what ready
     *     handlers throw, {@code false} if the loop only logs it
     * @implSpec The default is {@code true}.
     */
    protected boolean hasExceptionHandler() {
        return true;
    }

    private EventLoop loop() {
        EventLoop loop = openLoop(handled::add);
        opened.add(loop);
        return loop;
    }

    private DatagramChannel channel() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        opened.add(channel);
        channel.bind(V4);
        channel.configureBlocking(false);
        return channel;
    }

    private static InetSocketAddress address(DatagramChannel channel) throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void sendTo(DatagramChannel target, String text) throws IOException {
        try (DatagramChannel sender = DatagramChannel.open()) {
            sender.send(ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), address(target));
        }
    }

    @AfterEach
    final void closeEverything() throws Exception {
        // Loops first: they own what is still registered.
        for (AutoCloseable c : opened) {
            if (c instanceof EventLoop) {
                c.close();
            }
        }
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    /** Records each readiness call: the ready bits, and whether it ran on the loop thread. */
    private static final class Readies implements FdReadiness.ReadyHandler {
        final LinkedBlockingQueue<Integer> ready = new LinkedBlockingQueue<>();
        final EventLoop loop;
        final AtomicInteger offThread = new AtomicInteger();

        Readies(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public void ready(FdReadiness.Registration registration, int readyOps) {
            if (!loop.inLoop()) {
                offThread.incrementAndGet();
            }
            if ((readyOps & SelectionKey.OP_READ) != 0) {
                drain(registration);
            }
            ready.add(readyOps);
        }
    }

    private static void drain(FdReadiness.Registration registration) {
        try {
            DatagramChannel channel = (DatagramChannel) registration.channel();
            while (channel.receive(ByteBuffer.allocate(2048)) != null) {
                // drained: a level-triggered loop would report the same datagram again
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A datagram channel registered for {@code OP_READ} reports its channel, interest and
     * validity, and is reported readable, on the loop thread, when a datagram arrives.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void aRegisteredChannelIsReportedReadableOnTheLoopThread() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        DatagramChannel channel = channel();
        Readies handler = new Readies(loop);
        FdReadiness.Registration registration = onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_READ, handler));
        assertThat(registration.channel(), is(sameInstance(channel)));
        assertThat(onLoop(loop, registration::interestOps), is(SelectionKey.OP_READ));
        assertThat(registration.isValid(), is(true));
        sendTo(channel, "hello");
        Integer ready = handler.ready.poll(SECONDS_BOUND, SECONDS);
        assertThat(ready, is(notNullValue()));
        assertThat(ready & SelectionKey.OP_READ, is(SelectionKey.OP_READ));
        assertThat(handler.offThread.get(), is(0));
    }

    /**
     * Interest 0 pauses a registration without invalidating it: a datagram that arrives
     * meanwhile is not reported until {@code OP_READ} is set again; switching to {@code
     * OP_WRITE} reports the socket writable at once.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void interestOpsPausesAndResumesAndSwitchesToWrite() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        DatagramChannel channel = channel();
        Readies handler = new Readies(loop);
        FdReadiness.Registration registration = onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_READ, handler));
        onLoop(loop, () -> {
            registration.interestOps(0);
            return null;
        });
        assertThat(onLoop(loop, registration::interestOps), is(0));
        assertThat("a paused registration is still valid", registration.isValid(), is(true));
        sendTo(channel, "while paused");
        assertThat("reported while interest was 0", handler.ready.poll(200, MILLISECONDS), is(nullValue()));
        onLoop(loop, () -> {
            registration.interestOps(SelectionKey.OP_READ);
            return null;
        });
        Integer ready = handler.ready.poll(SECONDS_BOUND, SECONDS);
        assertThat("the datagram that arrived while paused is reported on resume", ready, is(notNullValue()));
        assertThat(ready & SelectionKey.OP_READ, is(SelectionKey.OP_READ));

        // An unconnected datagram socket can always be written: OP_WRITE is reported at once.
        onLoop(loop, () -> {
            registration.interestOps(SelectionKey.OP_WRITE);
            return null;
        });
        Integer writable = handler.ready.poll(SECONDS_BOUND, SECONDS);
        assertThat(writable, is(notNullValue()));
        assertThat(writable & SelectionKey.OP_WRITE, is(SelectionKey.OP_WRITE));
        onLoop(loop, () -> {
            registration.interestOps(0);
            return null;
        });
    }

    /**
     * {@code register}, {@code interestOps} and {@code cancel} called off the loop thread
     * throw {@link IllegalStateException} and change nothing: the registration still reports
     * reads, not writes.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void callsFromAnotherThreadAreRefusedWithIllegalStateException() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        DatagramChannel channel = channel();
        Readies handler = new Readies(loop);
        assertThrows(IllegalStateException.class, () -> readiness.register(channel, SelectionKey.OP_READ, handler));
        FdReadiness.Registration registration = onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_READ, handler));
        assertThrows(IllegalStateException.class, () -> registration.interestOps(SelectionKey.OP_WRITE));
        assertThrows(IllegalStateException.class, registration::cancel);
        // Refused calls changed nothing: the registration still reports reads.
        assertThat(registration.isValid(), is(true));
        sendTo(channel, "after the refused calls");
        Integer ready = handler.ready.poll(SECONDS_BOUND, SECONDS);
        assertThat(ready, is(notNullValue()));
        assertThat(ready & SelectionKey.OP_WRITE, is(0));
    }

    /**
     * Registering a blocking channel, a closed channel ({@link IOException}), an interest the
     * channel does not support ({@link IllegalArgumentException}) or a {@code null} handler
     * ({@link NullPointerException}) is refused; the channel refused last can then be
     * registered and works.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void badRegistrationsAreRefusedAndTheLoopGoesOn() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        Readies handler = new Readies(loop);
        DatagramChannel blocking = DatagramChannel.open();
        opened.add(blocking);
        assertThrows(Exception.class, () -> onLoop(loop,
                () -> readiness.register(blocking, SelectionKey.OP_READ, handler)), "a channel in blocking mode");
        DatagramChannel closed = DatagramChannel.open();
        closed.configureBlocking(false);
        closed.close();
        assertThrows(IOException.class, () -> onLoop(loop,
                () -> readiness.register(closed, SelectionKey.OP_READ, handler)), "a closed channel");
        DatagramChannel channel = channel();
        assertThrows(IllegalArgumentException.class, () -> onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_ACCEPT, handler)), "OP_ACCEPT on a datagram channel");
        assertThrows(NullPointerException.class, () -> onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_READ, null)), "a null handler");
        // The channel refused above can still be registered and works.
        FdReadiness.Registration registration = onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_READ, handler));
        sendTo(channel, "after the bad registrations");
        assertThat(handler.ready.poll(SECONDS_BOUND, SECONDS), is(notNullValue()));
        assertThat(registration.isValid(), is(true));
    }

    /**
     * After {@code cancel()} (twice: the same stage) a registration is invalid, its channel is
     * still open and back in the caller's hands; closed right after, its port can be bound
     * again, without {@code SO_REUSEADDR}, as soon as the stage of {@code cancel()} has
     * completed (on the loop thread); nothing more is reported.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void aCancelledChannelIsNotReportedStaysOpenAndCanBeClosedAndItsPortReboundOnceCancelCompletes()
            throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        DatagramChannel channel = channel();
        InetSocketAddress address = address(channel);
        Readies handler = new Readies(loop);
        FdReadiness.Registration registration = onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_READ, handler));
        CompletableFuture<String> rebound = new CompletableFuture<>();
        String cancelled = onLoop(loop, () -> {
            CompletionStage<Void> first = registration.cancel();
            if (registration.cancel() != first) {
                return "a second cancel returned another stage";
            }
            if (registration.isValid()) {
                return "still valid after cancel";
            }
            if (!channel.isOpen()) {
                return "cancel closed the channel; ownership should have gone back to the caller";
            }
            channel.close();
            first.whenComplete((v, e) -> rebound.complete(rebind(loop, e, () -> {
                try (DatagramChannel again = DatagramChannel.open()) {
                    again.bind(address);
                }
            }, address)));
            return "cancelled";
        });
        assertThat(cancelled, is("cancelled"));
        assertThat(rebound.get(SECONDS_BOUND, SECONDS), is("rebound on the loop thread"));
        assertThat(handler.ready.poll(200, MILLISECONDS), is(nullValue()));
    }

    /**
     * A server socket channel registered for {@code OP_ACCEPT}, cancelled and closed on the
     * loop thread frees its port once the stage of {@code cancel()} completes: a new listener
     * binds it without {@code SO_REUSEADDR}.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void aCancelledListenerCanBeClosedAndItsPortReboundOnceCancelCompletes() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        ServerSocketChannel listener = ServerSocketChannel.open();
        opened.add(listener);
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, false);
        listener.bind(V4);
        listener.configureBlocking(false);
        InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
        CompletableFuture<String> rebound = new CompletableFuture<>();
        onLoop(loop, () -> {
            FdReadiness.Registration registration = readiness.register(listener, SelectionKey.OP_ACCEPT, (r, ops) -> { });
            CompletionStage<Void> stage = registration.cancel();
            listener.close();
            stage.whenComplete((v, e) -> rebound.complete(rebind(loop, e, () -> {
                try (ServerSocketChannel again = ServerSocketChannel.open()) {
                    again.setOption(StandardSocketOptions.SO_REUSEADDR, false);
                    again.bind(address);
                }
            }, address)));
            return null;
        });
        assertThat(rebound.get(SECONDS_BOUND, SECONDS), is("rebound on the loop thread"));
    }

    /**
     * A ready handler that cancels its own registration and closes its channel, and one that
     * does so for many channels in one turn: every stage completes (the loop must not select
     * inside its select, nor wait for more readiness before it deregisters), each port can be
     * bound again then, and the loop goes on reporting the channels still registered.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void aHandlerCancellingAndClosingChannelsFreesEachPortOnceItsCancelCompletes() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        int count = 20;
        List<DatagramChannel> channels = new ArrayList<>();
        List<FdReadiness.Registration> registrations = new ArrayList<>();
        List<CompletableFuture<String>> rebound = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            channels.add(channel());
            rebound.add(new CompletableFuture<>());
        }
        DatagramChannel survivor = channel();
        Readies survivorHandler = new Readies(loop);
        onLoop(loop, () -> {
            for (int i = 0; i < count; i++) {
                DatagramChannel channel = channels.get(i);
                InetSocketAddress address = address(channel);
                CompletableFuture<String> done = rebound.get(i);
                // The first channel's handler cancels every channel, itself included, in one turn.
                registrations.add(readiness.register(channel, SelectionKey.OP_READ, i > 0 ? (r, ops) -> drain(r)
                        : (r, ops) -> {
                            drain(r);
                            for (int j = 0; j < count; j++) {
                                DatagramChannel each = channels.get(j);
                                InetSocketAddress at = addressOf(each);
                                CompletionStage<Void> stage = registrations.get(j).cancel();
                                closeQuietly(each);
                                CompletableFuture<String> result = rebound.get(j);
                                stage.whenComplete((v, e) -> result.complete(rebind(loop, e, () -> {
                                    try (DatagramChannel again = DatagramChannel.open()) {
                                        again.bind(at);
                                    }
                                }, at)));
                            }
                        }));
                assertThat(done.isDone(), is(false));
                assertThat(address.getPort() > 0, is(true));
            }
            readiness.register(survivor, SelectionKey.OP_READ, survivorHandler);
            return null;
        });
        sendTo(channels.get(0), "cancel them all");
        for (int i = 0; i < count; i++) {
            assertThat("channel " + i, rebound.get(i).get(SECONDS_BOUND, SECONDS), is("rebound on the loop thread"));
        }
        sendTo(survivor, "still reported");
        assertThat(survivorHandler.ready.poll(SECONDS_BOUND, SECONDS), is(notNullValue()));
    }

    /**
     * A channel whose handler cancels its registration and registers the same channel again in
     * the same turn (the channel goes back to its owner with {@code cancel()}, who may hand it to
     * the loop again at once): the new registration is valid, its handler gets the next
     * datagram, the old one is not called again, and the old stage completes.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void aChannelCancelledByItsHandlerCanBeRegisteredAgainInTheSameTurn() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        DatagramChannel channel = channel();
        AtomicInteger oldCalls = new AtomicInteger();
        Readies fresh = new Readies(loop);
        CompletableFuture<CompletionStage<Void>> oldStage = new CompletableFuture<>();
        CompletableFuture<FdReadiness.Registration> again = new CompletableFuture<>();
        onLoop(loop, () -> readiness.register(channel, SelectionKey.OP_READ, (r, ops) -> {
            oldCalls.incrementAndGet();
            drain(r);
            oldStage.complete(r.cancel());
            try {
                again.complete(readiness.register(channel, SelectionKey.OP_READ, fresh));
            } catch (IOException | RuntimeException e) {
                again.completeExceptionally(e);
            }
        }));
        sendTo(channel, "cancel and register again");
        FdReadiness.Registration registration = again.get(SECONDS_BOUND, SECONDS);
        oldStage.get(SECONDS_BOUND, SECONDS).toCompletableFuture().get(SECONDS_BOUND, SECONDS);
        assertThat(onLoop(loop, registration::isValid), is(true));
        sendTo(channel, "to the new handler");
        assertThat(fresh.ready.poll(SECONDS_BOUND, SECONDS), is(notNullValue()));
        assertThat("the cancelled handler is not called again", oldCalls.get(), is(1));
        assertThat(fresh.offThread.get(), is(0));
    }

    /**
     * Cancels made while the loop closes, in close hooks added before and after the facet's
     * first registration (so before and after any hook of the facet's own), and in a
     * dependant of such a stage, all complete on the loop thread before {@code close()} returns;
     * each channel, closed by its owner right after, has its port free by then.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void cancelsMadeWhileTheLoopClosesCompleteOnTheLoopThreadBeforeCloseReturns() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        List<DatagramChannel> channels = List.of(channel(), channel(), channel());
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (DatagramChannel c : channels) {
            addresses.add(address(c));
        }
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<FdReadiness.Registration> registrations = new java.util.concurrent.CopyOnWriteArrayList<>();
        loop.addCloseHook(() -> cancelAndClose(loop, registrations.get(0), channels.get(0), seen, "early hook"));
        onLoop(loop, () -> {
            for (DatagramChannel c : channels) {
                registrations.add(readiness.register(c, SelectionKey.OP_READ, new Readies(loop)));
            }
            return null;
        });
        loop.addCloseHook(() -> cancelAndClose(loop, registrations.get(1), channels.get(1), seen, "late hook")
                .thenRun(() -> cancelAndClose(loop, registrations.get(2), channels.get(2), seen, "dependant")));
        loop.close();
        assertThat(new java.util.TreeSet<>(seen).toString(),
                is("[dependant on the loop thread, early hook on the loop thread, late hook on the loop thread]"));
        for (InetSocketAddress a : addresses) {
            try (DatagramChannel again = DatagramChannel.open()) {
                again.bind(a);
            }
        }
    }

    private static CompletionStage<Void> cancelAndClose(EventLoop loop, FdReadiness.Registration registration,
            DatagramChannel channel, List<String> seen, String who) {
        CompletionStage<Void> stage = registration.cancel();
        closeQuietly(channel);
        return stage.thenRun(() -> seen.add(who + (loop.inLoop() ? " on the loop thread" : " off the loop thread")));
    }

    /** A bind that may fail with an {@link IOException}. */
    private interface Bind {
        /**
         * Binds the address again.
         *
         * @throws IOException if it is still taken
         */
        void run() throws IOException;
    }

    private static String rebind(EventLoop loop, Throwable stageFailure, Bind bind, InetSocketAddress address) {
        if (stageFailure != null) {
            return "the stage of cancel() failed: " + stageFailure;
        }
        try {
            bind.run();
        } catch (IOException e) {
            return "could not rebind " + address + " once cancel() completed: " + e;
        }
        return loop.inLoop() ? "rebound on the loop thread" : "rebound, but the stage completed on another thread";
    }

    private static InetSocketAddress addressOf(DatagramChannel channel) {
        try {
            return address(channel);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void closeQuietly(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * An {@link IllegalStateException}, an {@link OutOfMemoryError}, a {@link
     * StackOverflowError} and a real stack overflow thrown by a ready handler each go to the
     * exception handler, in order; the loop keeps running and the registration stays valid and
     * reports the next datagram.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void exceptionsAndErrorsThrownByAHandlerLeaveTheLoopAndTheRegistrationRunning() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        DatagramChannel channel = channel();
        List<Throwable> thrown = List.of(new IllegalStateException("thrown by the test"),
                new OutOfMemoryError("thrown by the test"), new StackOverflowError("thrown by the test"));
        AtomicInteger calls = new AtomicInteger();
        LinkedBlockingQueue<Integer> survived = new LinkedBlockingQueue<>();
        FdReadiness.Registration registration = onLoop(loop, () -> readiness.register(channel, SelectionKey.OP_READ,
                (r, ops) -> {
                    drain(r);
                    int n = calls.getAndIncrement();
                    if (n < thrown.size()) {
                        EventLoopContract.throwUnchecked(thrown.get(n));
                    }
                    if (n == thrown.size()) {
                        EventLoopContract.recurseForever();
                    }
                    survived.add(n);
                }));
        for (int i = 0; i <= thrown.size(); i++) {
            sendTo(channel, "round " + i);
            if (hasExceptionHandler()) {
                Throwable t = handled.poll(SECONDS_BOUND, SECONDS);
                if (i < thrown.size()) {
                    assertThat("round " + i, t, is(thrown.get(i)));
                } else {
                    assertThat("round " + i, t, is(instanceOf(StackOverflowError.class)));
                }
            }
            String round = "loop still runs after round " + i;
            assertThat(onLoop(loop, () -> round), is(round));
        }
        assertThat(registration.isValid(), is(true));
        sendTo(channel, "after every throw");
        assertThat(survived.poll(SECONDS_BOUND, SECONDS), is(thrown.size() + 1));
    }

    /**
     * A close hook sees the registered channel still open and its registration valid; once
     * {@code close()} has returned, the channel is closed.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void aCloseHookRunsWhileTheRegisteredChannelsAreStillOpen() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        DatagramChannel channel = channel();
        FdReadiness.Registration registration = onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_READ, new Readies(loop)));
        java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();
        loop.addCloseHook(() -> seen.complete("open=" + channel.isOpen() + " valid=" + registration.isValid()));
        loop.close();
        assertThat(seen.getNow("the hook did not run"), is("open=true valid=true"));
        assertThat(channel.isOpen(), is(false));
    }

    /**
     * Closing the loop closes every channel still registered and invalidates its registration;
     * the channel's port is free once {@code close()} has returned.
     *
     * @throws Exception if the loop or a channel fails in a way the test does not expect; the
     *     test fails with it
     */
    @Test
    public void closingTheLoopClosesTheChannelsStillRegistered() throws Exception {
        EventLoop loop = loop();
        FdReadiness readiness = readiness(loop);
        DatagramChannel channel = channel();
        InetSocketAddress address = address(channel);
        FdReadiness.Registration registration = onLoop(loop,
                () -> readiness.register(channel, SelectionKey.OP_READ, new Readies(loop)));
        loop.close();
        assertThat("registered channel open after the loop closed", channel.isOpen(), is(false));
        assertThat(registration.isValid(), is(false));
        try (DatagramChannel again = DatagramChannel.open()) {
            again.bind(address); // the port is free once close() has returned
        }
    }
}
