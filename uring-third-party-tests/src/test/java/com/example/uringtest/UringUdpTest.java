// SPDX-License-Identifier: Apache-2.0
package com.example.uringtest;

import static com.example.uringtest.UringLoops.onLoop;
import static com.example.uringtest.UringLoops.openFds;
import static com.example.uringtest.UringLoops.port;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A UDP socket as a transport would drive it through the public capability: created and bound
 * with {@link PosixCalls}, received with one multishot RECV selecting from the loop's shared
 * buffer group ({@code F_MORE} on each datagram), sent with {@code SEND_ZC} (a result, then the
 * {@code F_NOTIF} notification that ends the operation), closed with the receive in flight.
 */
class UringUdpTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void multishotReceiveAndZeroCopySendOnASocketMadeWithPosixCalls() throws Exception {
        UringLoops.warmUp();
        long fdsBefore = openFds();
        java.util.Set<String> before = UringLoops.fdTargets();
        EventLoop loop = UringLoops.open();
        UringPort port = port(loop);
        PosixCalls posix = port.posix();
        int fd = posix.socket(PosixCalls.AF_INET, PosixCalls.SOCK_DGRAM, 0);
        posix.bind(fd, LOOPBACK);
        InetSocketAddress local = posix.localAddress(fd);
        assertThat(local.getAddress(), is(InetAddress.getLoopbackAddress()));
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> threeReceived = new CompletableFuture<>();
        CompletableFuture<Void> sendEnded = new CompletableFuture<>();
        CompletableFuture<Void> unregistered = new CompletableFuture<>();
        UringHandler handler = new UringHandler() {
            @Override
            public void complete(UringRegistration registration, UringCompletion c) {
                if (c.tag() == 1) {
                    ByteBuffer b = c.buffer();
                    String text = b == null ? "-" : StandardCharsets.US_ASCII.decode(b.duplicate()).toString();
                    events.add("recv res=" + c.result() + " more=" + c.hasMore() + " " + text);
                    if (events.stream().filter(e -> e.startsWith("recv res=") && e.contains("more=true")).count() == 3) {
                        threeReceived.complete(null);
                    }
                } else {
                    events.add("send res=" + c.result() + " more=" + c.hasMore() + " notif=" + c.isNotification());
                    if (c.isFinal()) {
                        sendEnded.complete(null);
                    }
                }
            }

            @Override
            public void unregistered(UringRegistration registration) {
                events.add("unregistered");
                unregistered.complete(null);
            }
        };
        try (DatagramChannel peer = DatagramChannel.open().bind(LOOPBACK)) {
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalAddress();
            UringRegistration registration = onLoop(loop, () -> {
                UringRegistration r = port.register(fd, handler);
                UringBufferGroup group = port.bufferGroup(2048);
                r.prepare(UringPort.OP_RECV).bufferGroup(group).ioprio(UringPort.RECV_MULTISHOT).tag(1).submit();
                return r;
            });
            for (String text : new String[] {"a", "bb", "ccc"}) {
                peer.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), local);
            }
            threeReceived.get(10, TimeUnit.SECONDS);

            assertThat(port.supports(UringPort.OP_SEND_ZC), is(true));
            onLoop(loop, () -> {
                NativeBlock to = registration.allocate(PosixCalls.SOCKADDR_SIZE);
                int length = posix.encode(peerAddress, false, to.buffer());
                ByteBuffer data = ByteBuffer.allocateDirect(3).put("zc!".getBytes(StandardCharsets.US_ASCII)).flip();
                return registration.prepare(UringPort.OP_SEND_ZC).addr(data).addr2(to, 0).spliceFdIn(length)
                        .tag(2).submit();
            });
            sendEnded.get(10, TimeUnit.SECONDS);
            ByteBuffer received = ByteBuffer.allocate(16);
            peer.receive(received);
            assertThat(new String(received.array(), 0, received.position(), StandardCharsets.US_ASCII), is("zc!"));

            onLoop(loop, () -> {
                registration.close();
                return null;
            });
            unregistered.get(10, TimeUnit.SECONDS);
        }
        assertThat(events, contains("recv res=1 more=true a", "recv res=2 more=true bb", "recv res=3 more=true ccc",
                "send res=3 more=true notif=false", "send res=0 more=false notif=true",
                "recv res=-125 more=false -", "unregistered"));
        posix.close(fd);
        loop.close();
        assertThat(port.allocatedBytes(), is(0L));
        java.util.Set<String> after = UringLoops.fdTargets();
        after.removeAll(before);
        assertThat("new descriptors: " + after, openFds(), is(fdsBefore));
    }
}
