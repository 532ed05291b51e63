// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.FdReadiness;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SelectorReadinessTest {

    private final SelectorLoop loop = SelectorLoop.open();
    private final FdReadiness readiness = loop.capability(FdReadiness.class).orElseThrow();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private <T> T onLoop(Callable<T> call) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(10, SECONDS);
    }

    @Test
    void offLoopCallsAreRejectedNamingTheLoop() throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.configureBlocking(false);
            var e = assertThrows(IllegalStateException.class,
                    () -> readiness.register(channel, SelectionKey.OP_READ, (r, ops) -> { }));
            assertThat(e.getMessage(), is("FdReadiness.register must be called on the thread of loop '"
                    + loop.name() + "', not on '" + Thread.currentThread().getName()
                    + "'; hand the call over with loop.execute(...)"));
        }
    }

    @Test
    void registerReadInterestCancelWithARealDatagramChannel() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
        server.configureBlocking(false);
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        ByteBuffer buf = ByteBuffer.allocate(256);
        FdReadiness.Registration reg = onLoop(() -> readiness.register(server, SelectionKey.OP_READ, (r, ops) -> {
            assertThat(ops & SelectionKey.OP_READ, is(SelectionKey.OP_READ));
            try {
                while (((DatagramChannel) r.channel()).receive(buf.clear()) != null) {
                    received.add(StandardCharsets.UTF_8.decode(buf.flip()).toString());
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        assertThat(loop.toString(), is(loop.name() + "[channels=1 timers=0 pending=0]"));
        assertThat(onLoop(reg::interestOps), is(SelectionKey.OP_READ));
        try (DatagramChannel client = DatagramChannel.open()) {
            client.send(ByteBuffer.wrap("one".getBytes(StandardCharsets.UTF_8)), server.getLocalAddress());
            assertThat(received.poll(10, SECONDS), is("one"));

            // Paused: the datagram waits in the socket until interest comes back.
            onLoop(() -> {
                reg.interestOps(0);
                return null;
            });
            client.send(ByteBuffer.wrap("two".getBytes(StandardCharsets.UTF_8)), server.getLocalAddress());
            assertThat(received.poll(200, TimeUnit.MILLISECONDS), is((String) null));
            onLoop(() -> {
                reg.interestOps(SelectionKey.OP_READ);
                return null;
            });
            assertThat(received.poll(10, SECONDS), is("two"));

            // Cancelled: the channel is not closed and goes back to the caller; it can be registered again.
            onLoop(() -> {
                reg.cancel();
                reg.cancel();
                return null;
            });
            assertThat(reg.isValid(), is(false));
            assertThat(server.isOpen(), is(true));
            FdReadiness.Registration again = onLoop(() -> readiness.register(server, SelectionKey.OP_READ, (r, ops) -> {
                try {
                    while (((DatagramChannel) r.channel()).receive(buf.clear()) != null) {
                        received.add("again:" + StandardCharsets.UTF_8.decode(buf.flip()));
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
            client.send(ByteBuffer.wrap("three".getBytes(StandardCharsets.UTF_8)), server.getLocalAddress());
            assertThat(received.poll(10, SECONDS), is("again:three"));
            assertThat(again.isValid(), is(true));
            var twice = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> onLoop(() -> readiness.register(server, SelectionKey.OP_READ, (r, ops) -> { })));
            assertThat(twice.getCause().getMessage(), is("Channel " + server + " is already registered with loop '"
                    + loop.name() + "'; change the interest of its registration or cancel it first"));
        }
        loop.close();
        assertThat(server.isOpen(), is(false)); // the loop closes what is still registered
    }

    @Test
    void writeInterestFiresForAnIdleSocket() throws Exception {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        channel.configureBlocking(false);
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        onLoop(() -> readiness.register(channel, SelectionKey.OP_WRITE, (r, ops) -> {
            r.interestOps(0);
            ready.complete(ops);
        }));
        assertThat(ready.get(10, SECONDS), is(SelectionKey.OP_WRITE));
    }

    @Test
    void blockingChannelIsRefusedWithTheRemedy() throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            var e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> onLoop(() -> readiness.register(channel, SelectionKey.OP_READ, (r, ops) -> { })));
            assertThat(e.getCause().getMessage(), is("Channel " + channel + " is in blocking mode;"
                    + " call configureBlocking(false) before registering it with loop '" + loop.name() + "'"));
        }
    }
}
