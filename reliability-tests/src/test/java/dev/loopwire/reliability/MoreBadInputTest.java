package dev.loopwire.reliability;

import static dev.loopwire.reliability.Endpoints.await;
import static dev.loopwire.reliability.Endpoints.bind;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inputs beyond the ones transport-udp's BadInputTest covers (oversized, unresolved, wrong
 * family, port 0, after close, null), on both loops: every one is either a legal datagram that
 * arrives intact, or a typed error; the endpoint stays usable.
 */
class MoreBadInputTest {

    static java.util.stream.Stream<Named<String>> loops() {
        return Loops.names();
    }

    /** Sends through {@code client} to an echo server and returns what came back. */
    private static String roundTrip(DatagramEndpoint client, BlockingQueue<byte[]> replies, ByteBuffer data)
            throws Exception {
        assertThat(client.send(data), is(true));
        byte[] reply = replies.poll(10, TimeUnit.SECONDS);
        return reply == null ? "(nothing)" : new String(reply, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @MethodSource("loops")
    void legalButUnusualBuffersArriveIntact(String name) throws Exception {
        try (EventLoop loop = Loops.open(name)) {
            DatagramEndpoint server = bind(loop, new Endpoints.Echo());
            BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
            DatagramEndpoint client = await(dev.loopwire.transport.udp.Udp.connect(server.localAddress(), (data, sender) -> {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                replies.add(b);
            }, loop));

            if (name.equals("selector")) {
                // The JDK cannot send an empty datagram on a connected channel: refused, not lost.
                var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> client.send(ByteBuffer.allocate(0)));
                assertThat(e.getMessage(), is("Cannot send a zero-length datagram on connected endpoint " + client
                        + ": the JDK's DatagramChannel sends nothing for an empty buffer once connected;"
                        + " send it from an unconnected endpoint, or use a loop with CompletionPort"));
            } else {
                assertThat("zero-length datagram", roundTrip(client, replies, ByteBuffer.allocate(0)), is(""));
            }
            // Unconnected, both loops send it, and the echo (unconnected) sends it back.
            BlockingQueue<byte[]> free = new LinkedBlockingQueue<>();
            DatagramEndpoint unconnected = bind(loop, (data, sender) -> free.add(new byte[data.remaining()]));
            assertThat(unconnected.send(ByteBuffer.allocate(0), server.localAddress()), is(true));
            assertThat(free.poll(10, TimeUnit.SECONDS).length, is(0));
            await(unconnected.close());
            ByteBuffer readOnly = ByteBuffer.wrap("read-only".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
            assertThat(roundTrip(client, replies, readOnly), is("read-only"));
            assertThat(readOnly.remaining(), is(0));
            assertThat(roundTrip(client, replies, ByteBuffer.wrap("heap".getBytes(StandardCharsets.UTF_8))), is("heap"));
            ByteBuffer sliced = ByteBuffer.allocateDirect(32).put("xxdirect-slicexx".getBytes(StandardCharsets.UTF_8));
            sliced.position(2).limit(14);
            assertThat(roundTrip(client, replies, sliced), is("direct-slice"));

            await(client.close());
            await(server.close());
        }
    }

    @ParameterizedTest
    @MethodSource("loops")
    void aBufferChangedRightAfterSendDoesNotChangeTheDatagramSendCopies(String name) throws Exception {
        try (EventLoop loop = Loops.open(name)) {
            DatagramEndpoint server = bind(loop, new Endpoints.Echo());
            BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
            DatagramEndpoint client = await(dev.loopwire.transport.udp.Udp.connect(server.localAddress(), (data, sender) -> {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                replies.add(b);
            }, loop));
            byte[] bytes = "original".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 100; i++) {
                // Off the loop thread: the bytes are copied into the queue before send returns.
                assertThat(client.send(ByteBuffer.wrap(bytes)), is(true));
                java.util.Arrays.fill(bytes, (byte) 'X');
                assertThat(new String(replies.poll(10, TimeUnit.SECONDS), StandardCharsets.UTF_8), is("original"));
                bytes = "original".getBytes(StandardCharsets.UTF_8);
            }
            await(client.close());
            await(server.close());
        }
    }

    @ParameterizedTest
    @MethodSource("loops")
    void interruptingTheLoopThreadDoesNotStopTheLoop(String name) throws Exception {
        EventLoop loop = Loops.open(name);
        DatagramEndpoint server = bind(loop, new Endpoints.Echo());
        BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        DatagramEndpoint client = await(dev.loopwire.transport.udp.Udp.connect(server.localAddress(), (data, sender) -> {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            replies.add(b);
        }, loop));
        CompletableFuture<Void> interrupted = new CompletableFuture<>();
        loop.execute(() -> {
            Thread.currentThread().interrupt();
            interrupted.complete(null);
        });
        interrupted.get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            assertThat(roundTrip(client, replies, ByteBuffer.wrap(("after " + i).getBytes(StandardCharsets.UTF_8))),
                    is("after " + i));
        }
        await(client.close());
        await(server.close());
        loop.close();
        assertThat(loop.isClosed(), is(true));
    }
}
