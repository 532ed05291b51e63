// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static dev.loopwire.tck.Waits.SECONDS_BOUND;
import static dev.loopwire.tck.Waits.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.EndpointClosedException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The close of an endpoint attacked from every place it can be called: after its loop closed,
 * from inside a handler callback, from a loop close hook, and racing {@code loop.close()} on
 * another thread. Whatever the path: the stage completes, only once the socket is released;
 * {@code onClose} runs exactly once, on the loop thread; nothing {@code send} accepted is lost;
 * and the loop's own close ends without waiting out a close timeout. Extend
 * {@link DatagramContract}, which inherits these.
 */
abstract class DatagramCloseAttacks extends DatagramSuite {

    private static final int RACE_ROUNDS = 20;

    /** Closes {@code loop} on a new thread; the future completes when {@code close()} returned. */
    private static CompletableFuture<Void> closeOnAnotherThread(EventLoop loop, CountDownLatch go) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        new Thread(() -> {
            try {
                go.await();
                loop.close();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "tck-loop-closer").start();
        return done;
    }

    /** Waits for a loop's close, failing with a message that names the loop if it hangs. */
    private static void awaitLoopClosed(CompletableFuture<Void> closed, EventLoop loop, String when) throws Exception {
        try {
            closed.get(SECONDS_BOUND, SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(when + ": loop.close() of " + loop + " did not return within "
                    + SECONDS_BOUND + " s", e);
        }
    }

    /**
     * {@code close()} after the loop closed returns a completed stage: the loop's close hook has
     * closed the endpoint, called {@code onClose} once on the loop thread, and the caller's
     * {@code close()} runs nothing more and waits for nothing.
     *
     * @throws Exception if the loop or an endpoint fails unexpectedly; the test fails with it
     */
    @Test
    public void closeAfterTheLoopClosedCompletesWithOnCloseOnceOnTheLoopThread() throws Exception {
        EventLoop loop = loop();
        RecordingHandler handler = new RecordingHandler();
        DatagramEndpoint endpoint = bind(V4, handler, loop);
        loop.close();
        assertThat(await(handler.closed), is(true));
        CompletionStage<Void> stage = endpoint.close();
        assertThat("completed at once", stage.toCompletableFuture().isDone(), is(true));
        await(stage);
        assertThat(endpoint.close(), sameInstance(stage));
        assertThat(handler.closes.get(), is(1));
        assertThat(handler.misdirected.get(), is(0));
        assertThrows(EndpointClosedException.class, () -> endpoint.send(ByteBuffer.allocate(1), anyPeer()));
    }

    /**
     * {@code close()} called from {@code onDatagram} (the endpoint's
     * own handler, on the loop thread) completes its stage, runs {@code onClose} once after the
     * callback, and what was sent before it in the same callback is still sent.
     *
     * @throws Exception if the loop or an endpoint fails unexpectedly; the test fails with it
     */
    @Test
    public void closeFromInsideAHandlerCompletesAndSendsWhatWasAcceptedBefore() throws Exception {
        EventLoop loop = loop();
        RecordingHandler sinkHandler = new RecordingHandler();
        DatagramEndpoint sink = bind(V4, sinkHandler, loop);
        CompletableFuture<CompletionStage<Void>> stage = new CompletableFuture<>();
        CompletableFuture<String> afterClose = new CompletableFuture<>();
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                super.onDatagram(endpoint, data, sender);
                endpoint.send(RecordingHandler.text("last words"), sink.localAddress());
                stage.complete(endpoint.close());
                try {
                    endpoint.send(RecordingHandler.text("too late"), sender);
                    afterClose.complete("accepted");
                } catch (EndpointClosedException expected) {
                    afterClose.complete("refused");
                }
            }
        };
        DatagramEndpoint endpoint = bind(V4, handler, loop);
        sink.send(RecordingHandler.text("close now"), endpoint.localAddress());
        await(stage.get(SECONDS_BOUND, SECONDS));
        assertThat("a send after close() in the same callback", afterClose.get(SECONDS_BOUND, SECONDS), is("refused"));
        assertThat(await(handler.closed), is(true));
        assertThat(sinkHandler.next(), is("last words"));
        assertThat(handler.closes.get(), is(1));
        assertThat(handler.misdirected.get(), is(0));
        assertThat(endpoint.isClosed(), is(true));
        await(sink.close());
    }

    /**
     * {@code close()} called from loop close hooks — one added before the endpoint was bound
     * (it runs before the endpoint's own hook) and one added after — completes: the loop's
     * close returns, both calls get the same stage, {@code onClose} runs once.
     *
     * @throws Exception if the loop or an endpoint fails unexpectedly; the test fails with it
     */
    @Test
    public void closeFromALoopCloseHookCompletesAndTheLoopCloses() throws Exception {
        EventLoop loop = loop();
        CompletableFuture<DatagramEndpoint> bound = new CompletableFuture<>();
        CompletableFuture<CompletionStage<Void>> fromEarlyHook = new CompletableFuture<>();
        CompletableFuture<CompletionStage<Void>> fromLateHook = new CompletableFuture<>();
        loop.addCloseHook(() -> fromEarlyHook.complete(bound.join().close()));
        RecordingHandler handler = new RecordingHandler();
        DatagramEndpoint endpoint = bind(V4, handler, loop);
        bound.complete(endpoint);
        loop.addCloseHook(() -> fromLateHook.complete(endpoint.close()));
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Void> loopClosed = closeOnAnotherThread(loop, go);
        go.countDown();
        awaitLoopClosed(loopClosed, loop, "close() from close hooks");
        CompletionStage<Void> early = fromEarlyHook.get(SECONDS_BOUND, SECONDS);
        assertThat(fromLateHook.get(SECONDS_BOUND, SECONDS), sameInstance(early));
        await(early);
        assertThat(await(handler.closed), is(true));
        assertThat(handler.closes.get(), is(1));
        assertThat(handler.misdirected.get(), is(0));
    }

    /**
     * {@code endpoint.close()} on one thread racing {@code loop.close()} on another, many
     * times: the loop's close returns within the bound (it never waits out a close timeout for
     * the endpoint), the endpoint's stage completes, {@code onClose} runs exactly once on the
     * loop thread, and of what {@code send} accepted just before, nothing arrives or is reported
     * twice (a peer on the same loop closes with it, so arrival itself is not required here; the
     * flush on close is checked by the tests above).
     *
     * @throws Exception if the loop or an endpoint fails unexpectedly; the test fails with it
     */
    @Test
    public void endpointCloseRacingLoopCloseEndsPromptlyWithOnCloseOnce() throws Exception {
        for (int round = 0; round < RACE_ROUNDS; round++) {
            EventLoop loop = loop();
            RecordingHandler sinkHandler = new RecordingHandler();
            DatagramEndpoint sink = bind(V4, sinkHandler, loop);
            RecordingHandler handler = new RecordingHandler();
            DatagramEndpoint endpoint = bind(V4, handler, loop);
            int accepted = 0;
            for (int i = 0; i < 3; i++) {
                if (endpoint.send(RecordingHandler.text("r" + round + "#" + i), sink.localAddress())) {
                    accepted++;
                }
            }
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Void> loopClosed = closeOnAnotherThread(loop, go);
            CompletableFuture<CompletionStage<Void>> stage = new CompletableFuture<>();
            new Thread(() -> {
                try {
                    go.await();
                    stage.complete(endpoint.close());
                } catch (Throwable t) {
                    stage.completeExceptionally(t);
                }
            }, "tck-endpoint-closer").start();
            go.countDown();
            awaitLoopClosed(loopClosed, loop, "round " + round);
            await(stage.get(SECONDS_BOUND, SECONDS));
            assertThat("round " + round + ": onClose ran on the loop thread", await(handler.closed), is(true));
            assertThat("round " + round + ": onClose calls", handler.closes.get(), is(1));
            assertThat(handler.misdirected.get(), is(0));
            int reported = 0;
            for (Throwable e : handler.errors) {
                assertThat("round " + round + ": only 'not sent' reports: " + e, e instanceof EndpointClosedException,
                        is(true));
                reported += leadingCount(e.getMessage());
            }
            int arrived = sinkHandler.datagrams.size();
            assertThat("round " + round + ": arrived " + arrived + " + reported " + reported + " of " + accepted
                    + " accepted", arrived + reported <= accepted, is(true));
        }
    }

    /**
     * The stage of {@code close()} completes only once the socket is released: code run when
     * it completes can bind the same port again.
     *
     * @throws Exception if the loop or an endpoint fails unexpectedly; the test fails with it
     */
    @Test
    public void theCloseStageCompletesOnlyOnceThePortIsFreeAgain() throws Exception {
        EventLoop loop = loop();
        for (int round = 0; round < 5; round++) {
            DatagramEndpoint endpoint = bind(V4, new RecordingHandler(), loop);
            InetSocketAddress port = endpoint.localAddress();
            CompletableFuture<String> rebind = new CompletableFuture<>();
            endpoint.close().whenComplete((v, e) -> {
                try (DatagramChannel again = DatagramChannel.open()) {
                    again.bind(port);
                    rebind.complete("bound");
                } catch (Exception failed) {
                    rebind.complete("port " + port + " still taken when close() completed: " + failed);
                }
            });
            assertThat(rebind.get(SECONDS_BOUND, SECONDS), is("bound"));
        }
    }

    /** "N queued datagram(s) ..." counts N; any other report counts 1. */
    private static int leadingCount(String message) {
        String m = String.valueOf(message);
        int end = 0;
        while (end < m.length() && Character.isDigit(m.charAt(end))) {
            end++;
        }
        return end > 0 ? Integer.parseInt(m.substring(0, end)) : 1;
    }

    private static InetSocketAddress anyPeer() {
        return new InetSocketAddress("127.0.0.1", 9);
    }

}
