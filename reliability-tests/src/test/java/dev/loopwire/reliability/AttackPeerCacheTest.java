// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.SoakTest.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks on the completion loop's per-loop peer cache (bounded at 4,096 peers) through UDP's
 * public API, on both loops: 5,000 distinct peers echoed (over 127.0.0.1, then ::1), each answer at the right peer, then the
 * first peer again; the sender addresses a handler kept stay equal to their peers and still
 * reach them after the cache has been emptied; two loops never share their addresses.
 */
class AttackPeerCacheTest {

    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 0);
    private static final InetSocketAddress LOCAL6 = new InetSocketAddress("::1", 0);
    private static final int PEERS = 5_000;
    private static final int BATCH = 250;

    /** Echoes every datagram to its sender and keeps every sender address it was given. */
    static final class KeepingEcho implements DatagramHandler {
        final List<InetSocketAddress> senders = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
            senders.add(sender);
            endpoint.send(data, sender);
        }

        @Override
        public void onError(DatagramEndpoint endpoint, Throwable error) {
            errors.add(error);
        }
    }

    static DatagramChannel peer() throws Exception {
        return peer(LOCAL);
    }

    static DatagramChannel peer(InetSocketAddress local) throws Exception {
        DatagramChannel ch = DatagramChannel.open().bind(local);
        ch.configureBlocking(false);
        return ch;
    }

    /** Sends {@code id} from {@code ch} and waits (10 s at most) for the echo; returns the id echoed. */
    static int echo(DatagramChannel ch, InetSocketAddress to, int id) throws Exception {
        ch.send(ByteBuffer.allocate(4).putInt(0, id), to);
        return awaitInt(ch);
    }

    static int awaitInt(DatagramChannel ch) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(16);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ch.receive(in) == null) {
            if (System.nanoTime() > deadline) {
                return -1;
            }
            Thread.sleep(1);
        }
        return in.flip().remaining() == 4 ? in.getInt(0) : -2;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(AttackSupport.KINDS)
    void fiveThousandPeersThenTheFirstAgainEveryAnswerAtItsPeerAndKeptAddressesStayValid(String kind)
            throws Exception {
        fiveThousandPeers(kind, LOCAL);
        fiveThousandPeers(kind, LOCAL6);
    }

    private static void fiveThousandPeers(String kind, InetSocketAddress local) throws Exception {
        EventLoop loop = AttackSupport.open(kind);
        KeepingEcho handler = new KeepingEcho();
        try (DatagramChannel first = peer(local)) {
            DatagramEndpoint server = await(Udp.bind(local, handler, loop));
            InetSocketAddress to = server.localAddress();
            InetSocketAddress firstLocal = (InetSocketAddress) first.getLocalAddress();
            assertThat(echo(first, to, 0), is(0));
            InetSocketAddress kept = handler.senders.get(0);
            assertThat(kept, is(firstLocal));
            List<String> wrong = new ArrayList<>();
            for (int base = 1; base < PEERS; base += BATCH) {
                List<DatagramChannel> batch = new ArrayList<>();
                try {
                    for (int i = base; i < Math.min(base + BATCH, PEERS); i++) {
                        DatagramChannel ch = peer(local);
                        batch.add(ch);
                        ch.send(ByteBuffer.allocate(4).putInt(0, i), to);
                    }
                    for (int j = 0; j < batch.size(); j++) {
                        int got = awaitInt(batch.get(j));
                        if (got != base + j) {
                            wrong.add("peer " + (base + j) + " got " + got);
                        }
                    }
                } finally {
                    for (DatagramChannel ch : batch) {
                        ch.close();
                    }
                }
            }
            assertThat(wrong.size() + " wrong, first: " + wrong.stream().limit(5).toList(), wrong.isEmpty(), is(true));
            assertThat(handler.senders.size(), is(PEERS));
            // Back to the first peer, after more peers than the cache holds.
            assertThat(echo(first, to, 7), is(7));
            InetSocketAddress again = handler.senders.get(PEERS);
            assertThat(again, is(firstLocal));
            assertThat("the address kept from the first datagram is still equal to its peer", kept, is(firstLocal));
            assertThat(kept.hashCode(), is(firstLocal.hashCode()));
            // And still reaches it, sent from the loop thread and from another thread.
            AttackSupport.onLoop(loop, () -> server.send(ByteBuffer.allocate(4).putInt(0, 11), kept));
            assertThat(awaitInt(first), is(11));
            assertThat(server.send(ByteBuffer.allocate(4).putInt(0, 12), kept), is(true));
            assertThat(awaitInt(first), is(12));
            // Every kept address is still its own peer's (ports were handed out once per open socket).
            for (int i = 1; i < PEERS; i++) {
                InetSocketAddress a = handler.senders.get(i);
                if (!a.getAddress().isLoopbackAddress() || a.getPort() == 0) {
                    wrong.add("kept sender " + i + " is " + a);
                }
            }
            assertThat(wrong.toString(), wrong.isEmpty(), is(true));
            assertThat(handler.errors.toString(), handler.errors.isEmpty(), is(true));
        } finally {
            closeBounded(loop);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(AttackSupport.KINDS)
    void twoLoopsNeverShareTheirPeerAddresses(String kind) throws Exception {
        EventLoop a = AttackSupport.open(kind);
        EventLoop b = AttackSupport.open(kind);
        KeepingEcho ha = new KeepingEcho();
        KeepingEcho hb = new KeepingEcho();
        try (DatagramChannel p = peer()) {
            DatagramEndpoint ea = await(Udp.bind(LOCAL, ha, a));
            DatagramEndpoint eb = await(Udp.bind(LOCAL, hb, b));
            for (int i = 0; i < 3; i++) {
                assertThat(echo(p, ea.localAddress(), i), is(i));
                assertThat(echo(p, eb.localAddress(), i), is(i));
            }
            assertThat(ha.senders.get(0), is(hb.senders.get(0)));
            assertThat("each loop decodes the peer itself", ha.senders.get(0), is(not(sameInstance(hb.senders.get(0)))));
            // Loop b closing leaves loop a's addresses working.
            b.close();
            assertThat(echo(p, ea.localAddress(), 42), is(42));
        } finally {
            closeBounded(a);
            closeBounded(b);
        }
    }
}
