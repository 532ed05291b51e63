package dev.loopwire.loop.iocp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.CompletionPort.Datagram;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CompletionPortTest {

    private static final InetSocketAddress V4 = new InetSocketAddress(loopback("127.0.0.1"), 0);
    private static final InetSocketAddress V6 = new InetSocketAddress(loopback("::1"), 0);

    private long memoryBefore;

    private static InetAddress loopback(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
        memoryBefore = NativeMemory.outstandingBytes();
    }

    private void assertMemoryBackToBaseline() {
        assertThat("native bytes outstanding", NativeMemory.outstandingBytes(), is(memoryBefore));
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Datagram open(CompletionLoop loop, StandardProtocolFamily family, InetSocketAddress local,
            Recorder listener) throws Exception {
        return OnLoop.call(loop, () -> {
            Datagram socket = loop.openDatagram(family, listener);
            socket.bind(local);
            socket.startReceiving(1500);
            return socket;
        });
    }

    @Test
    void exchangesDatagramsWithAJdkPeerOnIpv4AndIpv6() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open();
                DatagramChannel peer4 = DatagramChannel.open(StandardProtocolFamily.INET).bind(V4);
                DatagramChannel peer6 = DatagramChannel.open(StandardProtocolFamily.INET6).bind(V6)) {
            Recorder r4 = new Recorder();
            Recorder r6 = new Recorder();
            Datagram s4 = open(loop, StandardProtocolFamily.INET, V4, r4);
            Datagram s6 = open(loop, StandardProtocolFamily.INET6, V6, r6);
            assertThat(s4.localAddress().getAddress(), is(V4.getAddress()));
            assertThat(s4.localAddress().getPort() > 0, is(true));
            assertThat(s4.remoteAddress(), nullValue());
            assertThat(s6.family(), is(StandardProtocolFamily.INET6));

            peer4.send(utf8("one"), s4.localAddress());
            peer4.send(utf8("two"), s4.localAddress());
            peer6.send(utf8("six"), s6.localAddress());
            assertThat(r4.received.poll(10, TimeUnit.SECONDS), is("one"));
            assertThat(r4.received.poll(10, TimeUnit.SECONDS), is("two"));
            assertThat(r6.received.poll(10, TimeUnit.SECONDS), is("six"));
            assertThat(r4.senders.get(0), is(peer4.getLocalAddress()));
            assertThat("a steady peer is one cached address", r4.senders.get(1), sameInstance(r4.senders.get(0)));
            assertThat(r6.senders.get(0), is(peer6.getLocalAddress()));

            ByteBuffer out = utf8("back");
            assertThat(OnLoop.call(loop, () -> s6.send(out, (InetSocketAddress) peer6.getLocalAddress())), is(true));
            assertThat(out.remaining(), is(0));
            ByteBuffer in = ByteBuffer.allocate(64);
            assertThat(peer6.receive(in), is(s6.localAddress()));
            assertThat(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8), is("back"));
            assertThat(r4.failures.isEmpty() && r6.failures.isEmpty(), is(true));
        }
        assertMemoryBackToBaseline();
    }

    @Test
    void anIpv6SocketIsDualStack() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open();
                DatagramChannel peer = DatagramChannel.open(StandardProtocolFamily.INET).bind(V4)) {
            Recorder recorder = new Recorder();
            // 127.0.0.1 on an IPv6 socket is bound as ::ffff:127.0.0.1
            Datagram socket = open(loop, StandardProtocolFamily.INET6, V4, recorder);
            assertThat(socket.localAddress().getAddress(), is(V4.getAddress()));
            assertThat(OnLoop.call(loop, () -> socket.send(utf8("mapped"), (InetSocketAddress) peer.getLocalAddress())),
                    is(true));
            ByteBuffer in = ByteBuffer.allocate(64);
            assertThat(peer.receive(in), is(socket.localAddress()));
            peer.send(utf8("reply"), socket.localAddress());
            assertThat(recorder.received.poll(10, TimeUnit.SECONDS), is("reply"));
            assertThat(recorder.senders.get(0), is(peer.getLocalAddress()));
        }
        assertMemoryBackToBaseline();
    }

    @Test
    void badInputIsRefusedAndTheSocketStaysUsable() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open();
                DatagramChannel peer = DatagramChannel.open(StandardProtocolFamily.INET).bind(V4)) {
            Recorder recorder = new Recorder();
            Datagram socket = open(loop, StandardProtocolFamily.INET, V4, recorder);
            InetSocketAddress target = (InetSocketAddress) peer.getLocalAddress();
            UnsupportedOperationException family = assertThrows(UnsupportedOperationException.class,
                    () -> OnLoop.call(loop, () -> loop.openDatagram(StandardProtocolFamily.UNIX, recorder)));
            assertThat(family.getMessage(), is("Protocol family 'UNIX' is not supported by a completion port; "
                    + "use StandardProtocolFamily.INET or INET6"));
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> OnLoop.call(loop, () -> socket.send(ByteBuffer.allocate(65_508), target)));
            assertThat(big.getMessage(), is("Datagram of '65508' bytes is larger than the UDP maximum of 65507 bytes; split it"));
            IllegalArgumentException v6 = assertThrows(IllegalArgumentException.class,
                    () -> OnLoop.call(loop, () -> socket.send(utf8("x"), new InetSocketAddress("::1", 9))));
            assertThat(v6.getMessage(), is("Cannot send to IPv6 address '/[0:0:0:0:0:0:0:1]:9' from an IPv4 socket; "
                    + "open the socket with StandardProtocolFamily.INET6"));
            IllegalArgumentException unresolved = assertThrows(IllegalArgumentException.class,
                    () -> OnLoop.call(loop, () -> socket.send(utf8("x"), InetSocketAddress.createUnresolved("nowhere.invalid", 9))));
            assertThat(unresolved.getMessage(), is("Cannot send to unresolved address 'nowhere.invalid/<unresolved>:9'; resolve it first"));
            IllegalArgumentException unconnected = assertThrows(IllegalArgumentException.class,
                    () -> OnLoop.call(loop, () -> socket.send(utf8("x"), null)));
            assertThat(unconnected.getMessage(), is("No target given and the socket is not connected; pass a target or connect first"));
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> OnLoop.call(loop, () -> {
                        socket.startReceiving(0);
                        return null;
                    }));
            assertThat(size.getMessage(), is("maxDatagramSize must be 1 to 65535, not '0'"));
            IllegalStateException thread = assertThrows(IllegalStateException.class, () -> socket.send(utf8("x"), target));
            assertThat(thread.getMessage(), is("send must be called on the thread of loop '" + loop.name()
                    + "'; hand it over with loop.execute(...)"));

            // still usable: the largest datagram goes through
            ByteBuffer max = ByteBuffer.allocate(65_507);
            assertThat(OnLoop.call(loop, () -> socket.send(max, target)), is(true));
            ByteBuffer in = ByteBuffer.allocate(70_000);
            peer.receive(in);
            assertThat(in.position(), is(65_507));

            OnLoop.run(loop, socket::close);
            OnLoop.run(loop, socket::close); // a second close is a no-op
            IllegalStateException closed = assertThrows(IllegalStateException.class,
                    () -> OnLoop.call(loop, () -> socket.send(utf8("x"), target)));
            assertThat(closed.getMessage(), is("Cannot send: the datagram socket is closed; open a new one"));
            recorder.closed.get(10, TimeUnit.SECONDS);
            assertThat(recorder.closedCalls, is(1));
            assertThat(socket.isOpen(), is(false));
        }
        assertMemoryBackToBaseline();
    }

    @Test
    void sendReturnsFalseWhenEverySlotIsInFlightThenWritableFollows() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open();
                DatagramChannel peer = DatagramChannel.open().bind(V4)) {
            Recorder recorder = new Recorder();
            Datagram socket = open(loop, StandardProtocolFamily.INET, V4, recorder);
            InetSocketAddress target = (InetSocketAddress) peer.getLocalAddress();
            // Completions are reaped between turns, never inside one: within a task every slot
            // stays in flight.
            int accepted = OnLoop.call(loop, () -> {
                ByteBuffer payload = ByteBuffer.allocate(10);
                int count = 0;
                while (socket.send(payload.clear(), target)) {
                    count++;
                }
                assertThat("nothing is copied when refused", payload.position(), is(0));
                return count;
            });
            assertThat(accepted, is(256));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (recorder.writable == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(recorder.writable, is(1));
            assertThat(OnLoop.call(loop, () -> socket.send(utf8("more"), target)), is(true));
        }
        assertMemoryBackToBaseline();
    }

    @Test
    void optionsAreSetAndRead() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open()) {
            Recorder recorder = new Recorder();
            OnLoop.run(loop, () -> {
                Datagram v4 = loop.openDatagram(StandardProtocolFamily.INET, recorder);
                v4.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                assertThat(v4.getOption(StandardSocketOptions.SO_REUSEADDR), is(true));
                v4.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                assertThat(v4.getOption(StandardSocketOptions.SO_REUSEPORT), is(true));
                v4.setOption(StandardSocketOptions.SO_BROADCAST, true);
                assertThat(v4.getOption(StandardSocketOptions.SO_BROADCAST), is(true));
                v4.setOption(StandardSocketOptions.SO_RCVBUF, 65_536);
                assertThat(v4.getOption(StandardSocketOptions.SO_RCVBUF), greaterThanOrEqualTo(65_536));
                v4.setOption(StandardSocketOptions.SO_SNDBUF, 32_768);
                assertThat(v4.getOption(StandardSocketOptions.SO_SNDBUF), greaterThanOrEqualTo(32_768));
                v4.setOption(StandardSocketOptions.IP_TOS, 0x10);
                assertThat(v4.getOption(StandardSocketOptions.IP_TOS), is(0x10));
                v4.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 5);
                assertThat(v4.getOption(StandardSocketOptions.IP_MULTICAST_TTL), is(5));
                v4.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
                assertThat(v4.getOption(StandardSocketOptions.IP_MULTICAST_LOOP), is(false));
                NetworkInterface lo = NetworkInterface.getByInetAddress(V4.getAddress());
                v4.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
                assertThat(v4.getOption(StandardSocketOptions.IP_MULTICAST_IF), is(lo));
                v4.bind(V4);
                v4.join(InetAddress.getByName("239.255.77.1"), lo);
                v4.leave(InetAddress.getByName("239.255.77.1"), lo);
                IllegalArgumentException notGroup = assertThrows(IllegalArgumentException.class,
                        () -> v4.join(V4.getAddress(), lo));
                assertThat(notGroup.getMessage(), is("'127.0.0.1' is not a multicast address"));
                IllegalArgumentException ttl = assertThrows(IllegalArgumentException.class,
                        () -> v4.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 256));
                assertThat(ttl.getMessage(), is("Option 'IP_MULTICAST_TTL' must be 0 to 255, not '256'"));
                UnsupportedOperationException linger = assertThrows(UnsupportedOperationException.class,
                        () -> v4.setOption(StandardSocketOptions.SO_LINGER, 1));
                assertThat(linger.getMessage(), startsWith("Option 'SO_LINGER' is not supported by a completion-port datagram socket"));
                assertThat(v4.supportedOptions().size(), is(9));

                Datagram v6 = loop.openDatagram(StandardProtocolFamily.INET6, recorder);
                v6.setOption(StandardSocketOptions.IP_TOS, 0x20);
                assertThat(v6.getOption(StandardSocketOptions.IP_TOS), is(0x20));
                v6.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 7);
                assertThat(v6.getOption(StandardSocketOptions.IP_MULTICAST_TTL), is(7));
                v6.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
                assertThat(v6.getOption(StandardSocketOptions.IP_MULTICAST_LOOP), is(true));
                v6.bind(V6);
                v6.join(InetAddress.getByName("ff02::77"), lo);
                v6.leave(InetAddress.getByName("ff02::77"), lo);
                v4.close();
                v6.close();
            });
        }
        assertMemoryBackToBaseline();
    }

    @Test
    void errnoBecomesATypedException() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open()) {
            Recorder first = new Recorder();
            Datagram bound = open(loop, StandardProtocolFamily.INET, V4, first);
            BindException inUse = assertThrows(BindException.class, () -> OnLoop.run(loop, () -> {
                Datagram second = loop.openDatagram(StandardProtocolFamily.INET, new Recorder());
                try {
                    second.bind(bound.localAddress());
                } finally {
                    second.close();
                }
            }));
            assertThat(inUse.getMessage(), is("bind to '" + bound.localAddress() + "' failed: Address already in use (EADDRINUSE, errno 98)"));

            // A connected socket learns from ICMP that nobody listens on the port.
            InetSocketAddress nobody;
            try (DatagramChannel gone = DatagramChannel.open().bind(V4)) {
                nobody = (InetSocketAddress) gone.getLocalAddress();
            }
            Recorder refused = new Recorder();
            Datagram client = OnLoop.call(loop, () -> {
                Datagram socket = loop.openDatagram(StandardProtocolFamily.INET, refused);
                socket.connect(nobody);
                socket.startReceiving(100);
                socket.send(utf8("anyone?"), null);
                return socket;
            });
            assertThat(client.remoteAddress(), is(nobody));
            IOException error = refused.failures.poll(10, TimeUnit.SECONDS);
            assertThat(error, instanceOf(PortUnreachableException.class));
            assertThat(error.getMessage(), endsWith(" failed: Connection refused (ECONNREFUSED, errno 111)"));
            // the socket stays open and usable after an ICMP error
            assertThat(OnLoop.call(loop, () -> client.send(utf8("again"), null)), is(true));
            assertThat(client.isOpen(), is(true));
        }
        assertMemoryBackToBaseline();
    }

    @Test
    void aDatagramLargerThanTheReceiveSizeIsReportedNotDelivered() throws Exception {
        try (CompletionLoop loop = CompletionLoop.open();
                DatagramChannel peer = DatagramChannel.open().bind(V4)) {
            Recorder recorder = new Recorder();
            Datagram socket = OnLoop.call(loop, () -> {
                Datagram s = loop.openDatagram(StandardProtocolFamily.INET, recorder);
                s.bind(V4);
                s.startReceiving(10);
                return s;
            });
            peer.send(ByteBuffer.allocate(11), socket.localAddress());
            peer.send(utf8("fits"), socket.localAddress());
            IOException error = recorder.failures.poll(10, TimeUnit.SECONDS);
            assertThat(error.getMessage(), is("Dropped a datagram of 11 bytes from '" + peer.getLocalAddress()
                    + "': larger than the maxDatagramSize 10 given to startReceiving; receive with a larger size"));
            assertThat(recorder.received.poll(10, TimeUnit.SECONDS), is("fits"));
        }
        assertMemoryBackToBaseline();
    }

    @Test
    void aListenerThatThrowsGoesToTheHandlerAndReceivingGoesOn() throws Exception {
        List<Throwable> handled = new CopyOnWriteArrayList<>();
        try (CompletionLoop loop = CompletionLoop.open().exceptionHandler(handled::add);
                DatagramChannel peer = DatagramChannel.open().bind(V4)) {
            Recorder recorder = new Recorder() {
                @Override
                public void received(ByteBuffer data, InetSocketAddress sender) {
                    super.received(data, sender);
                    throw new IllegalStateException("listener bug");
                }
            };
            Datagram socket = open(loop, StandardProtocolFamily.INET, V4, recorder);
            for (int i = 0; i < 3; i++) {
                peer.send(utf8("n" + i), socket.localAddress());
                assertThat(recorder.received.poll(10, TimeUnit.SECONDS), is("n" + i));
            }
            OnLoop.call(loop, () -> null);
            assertThat(handled.size(), is(3));
            assertThat(handled.get(0).getMessage(), is("listener bug"));
        }
    }
}
