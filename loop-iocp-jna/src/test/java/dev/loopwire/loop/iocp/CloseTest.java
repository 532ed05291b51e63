package dev.loopwire.loop.iocp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.CompletionPort.Datagram;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cancellation: closing sockets and loops with operations in flight. */
class CloseTest {

    private static final InetSocketAddress V4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private long memoryBefore;

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
        memoryBefore = NativeMemory.outstandingBytes();
    }

    @Test
    void closingASocketCancelsItsReceiveAndReportsClosedOnce() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open()) {
            Recorder recorder = new Recorder();
            Datagram socket = OnLoop.call(loop, () -> {
                Datagram s = loop.openDatagram(StandardProtocolFamily.INET, recorder);
                s.bind(V4);
                s.startReceiving(1500);
                return s;
            });
            assertThat(loop.toString(), is(loop.name() + "[sockets=1 inflight=1 timers=0 pending=0]"));
            OnLoop.run(loop, socket::close);
            recorder.closed.get(10, TimeUnit.SECONDS);
            OnLoop.call(loop, () -> null);
            assertThat(recorder.closedCalls, is(1));
            assertThat("a cancelled receive is not a failure", recorder.failures.isEmpty(), is(true));
            assertThat(loop.toString(), is(loop.name() + "[sockets=0 inflight=0 timers=0 pending=0]"));
        }
        assertThat(NativeMemory.outstandingBytes(), is(memoryBefore));
    }

    @Test
    void completionsArrivingAfterCloseHasBegunAreReapedNotDelivered() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open();
                DatagramChannel peer = DatagramChannel.open().bind(V4)) {
            peer.configureBlocking(false);
            Recorder sender = new Recorder();
            Recorder receiver = new Recorder();
            AtomicBoolean deliveredAfterClose = new AtomicBoolean();
            InetSocketAddress target = (InetSocketAddress) peer.getLocalAddress();
            Datagram[] sockets = OnLoop.call(loop, () -> {
                Datagram r = loop.openDatagram(StandardProtocolFamily.INET, new Recorder() {
                    @Override
                    public void received(ByteBuffer data, InetSocketAddress from) {
                        deliveredAfterClose.set(true); // only ever called before close, see below
                    }

                    @Override
                    public void closed() {
                        receiver.closed();
                    }
                });
                r.bind(V4);
                r.startReceiving(1500);
                Datagram s = loop.openDatagram(StandardProtocolFamily.INET, sender);
                s.bind(V4);
                return new Datagram[] {s, r};
            });
            // In one loop turn: queue 200 sends to the peer and 200 to the receiver, then close
            // both sockets. Every send is submitted after close began, so each completion
            // arrives for a closing socket.
            OnLoop.run(loop, () -> {
                ByteBuffer payload = ByteBuffer.allocate(100);
                for (int i = 0; i < 100; i++) {
                    sockets[0].send(payload.clear(), target);
                    sockets[0].send(payload.clear(), sockets[1].localAddress());
                }
                sockets[0].close();
                sockets[1].close();
            });
            sender.closed.get(10, TimeUnit.SECONDS);
            receiver.closed.get(10, TimeUnit.SECONDS);
            OnLoop.call(loop, () -> null);
            assertThat(sender.closedCalls, is(1));
            assertThat(sender.writable, is(0));
            assertThat(sender.failures.isEmpty(), is(true));
            assertThat(deliveredAfterClose.get(), is(false));
            assertThat(loop.toString(), is(loop.name() + "[sockets=0 inflight=0 timers=0 pending=0]"));
            int arrived = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (arrived < 100 && System.nanoTime() < deadline) {
                if (peer.receive(ByteBuffer.allocate(200)) != null) {
                    arrived++;
                } else {
                    Thread.sleep(1);
                }
            }
            assertThat("sends queued before close still go out", arrived, is(100));
        }
        assertThat(NativeMemory.outstandingBytes(), is(memoryBefore));
    }

    @Test
    void closingTheLoopClosesItsSocketsAndReapsEverything() throws Exception {
        CompletionLoop loop = CompletionLoop.open();
        Recorder[] recorders = {new Recorder(), new Recorder(), new Recorder()};
        OnLoop.run(loop, () -> {
            for (Recorder recorder : recorders) {
                Datagram socket = loop.openDatagram(StandardProtocolFamily.INET6, recorder);
                socket.bind(new InetSocketAddress("::1", 0));
                socket.startReceiving(65_535);
                socket.send(ByteBuffer.allocate(1000), socket.localAddress());
            }
        });
        loop.close();
        for (Recorder recorder : recorders) {
            assertThat(recorder.closed.isDone(), is(true));
            assertThat(recorder.closedCalls, is(1));
        }
        assertThat(loop.toString(), is(loop.name() + "[sockets=0 inflight=0 timers=0 pending=0 closed]"));
        assertThat(loop.awaitTermination(0, TimeUnit.SECONDS), is(true));
        assertThat(NativeMemory.outstandingBytes(), is(memoryBefore));
    }

    @Test
    void closingTheLoopFromAListenerWorks() throws Exception {
        CompletionLoop loop = CompletionLoop.open();
        try (DatagramChannel peer = DatagramChannel.open().bind(V4)) {
            Recorder recorder = new Recorder() {
                @Override
                public void received(ByteBuffer data, InetSocketAddress sender) {
                    loop.close();
                }
            };
            Datagram socket = OnLoop.call(loop, () -> {
                Datagram s = loop.openDatagram(StandardProtocolFamily.INET, recorder);
                s.bind(V4);
                s.startReceiving(100);
                return s;
            });
            peer.send(ByteBuffer.allocate(1), socket.localAddress());
            assertThat(loop.awaitTermination(10, TimeUnit.SECONDS), is(true));
            assertThat(recorder.closedCalls, is(1));
        }
        assertThat(NativeMemory.outstandingBytes(), is(memoryBefore));
    }
}
