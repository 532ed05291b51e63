package dev.loopwire.loop.iocp.internal.windows;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.loopwire.loop.CompletionPort.DatagramListener;
import dev.loopwire.loop.iocp.internal.BackendSocket;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** {@link IocpBackend} and {@link IocpDatagram} against {@link SimulatedWinApi}; runs everywhere. */
class IocpBackendSimulatedTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    static final class Events implements DatagramListener {
        final List<String> log = new ArrayList<>();
        final List<InetSocketAddress> senders = new ArrayList<>();
        final List<IOException> failures = new ArrayList<>();
        Runnable onReceived = () -> { };

        @Override
        public void received(ByteBuffer data, InetSocketAddress sender) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            log.add("received " + new String(bytes, US_ASCII));
            senders.add(sender);
            onReceived.run();
        }

        @Override
        public void writable() {
            log.add("writable");
        }

        @Override
        public void failed(IOException error) {
            log.add("failed");
            failures.add(error);
        }

        @Override
        public void closed() {
            log.add("closed");
        }
    }

    private static InetSocketAddress loopback(int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(US_ASCII));
    }

    private static void until(IocpBackend backend, BooleanSupplier done) throws IOException {
        for (int i = 0; i < 50 && !done.getAsBoolean(); i++) {
            backend.await(TimeUnit.MILLISECONDS.toNanos(50));
        }
        assertThat(done.getAsBoolean(), is(true));
    }

    @Test
    void echoThenCloseReturnsEveryByteOfNativeMemory() {
        assertTimeoutPreemptively(LIMIT, () -> {
            long baseline = NativeMemory.outstandingBytes();
            SimulatedWinApi api = new SimulatedWinApi();
            IocpBackend backend = new IocpBackend(api);
            assertThat(backend.name(), is("iocp"));
            Events a = new Events();
            Events b = new Events();
            BackendSocket sa = backend.openDatagram(StandardProtocolFamily.INET, a);
            BackendSocket sb = backend.openDatagram(StandardProtocolFamily.INET, b);
            assertThat(backend.sockets(), is(2));
            assertThat(sa.localAddress(), is((InetSocketAddress) null));
            sa.startReceiving(1500); // before bind: waits for an address instead of failing
            assertThat(sa.inflight(), is(0));
            sa.bind(loopback(0));
            assertThat(sa.inflight(), is(IocpDatagram.RECEIVES));
            sa.startReceiving(1500); // a second call is a no-op
            assertThat(sa.inflight(), is(IocpDatagram.RECEIVES));

            ByteBuffer ping = ascii("ping");
            assertThat(sb.send(ping, sa.localAddress()), is(true));
            assertThat(ping.hasRemaining(), is(false));
            until(backend, () -> a.log.contains("received ping"));
            assertThat(a.senders.get(0), is(sb.localAddress()));
            // b was bound by its send, so its receives start now.
            sb.startReceiving(1500);
            assertThat(sb.inflight(), is(IocpDatagram.RECEIVES));
            assertThat(sa.send(ascii("pong"), a.senders.get(0)), is(true));
            until(backend, () -> b.log.contains("received pong"));
            assertThat(sa.inflight(), is(IocpDatagram.RECEIVES)); // the receive was posted again

            sa.close();
            sb.close();
            until(backend, () -> a.log.contains("closed") && b.log.contains("closed"));
            assertThat(backend.sockets(), is(0));
            assertThat(backend.inflight(), is(0));
            assertThat(a.failures.isEmpty() && b.failures.isEmpty(), is(true));
            backend.close();
            assertThat(NativeMemory.outstandingBytes(), is(baseline));
        });
    }

    @Test
    void everySlotInFlightRefusesThenReportsWritable() {
        assertTimeoutPreemptively(LIMIT, () -> {
            IocpBackend backend = new IocpBackend(new SimulatedWinApi());
            Events b = new Events();
            BackendSocket sb = backend.openDatagram(StandardProtocolFamily.INET, b);
            for (int i = 0; i < IocpDatagram.SENDS; i++) {
                assertThat(sb.send(ascii("x"), loopback(9)), is(true));
            }
            ByteBuffer refused = ascii("y");
            assertThat(sb.send(refused, loopback(9)), is(false));
            assertThat(refused.remaining(), is(1)); // nothing copied
            assertThat(sb.inflight(), is(IocpDatagram.SENDS));
            until(backend, () -> b.log.contains("writable"));
            assertThat(b.log, is(List.of("writable")));
            assertThat(sb.send(refused, loopback(9)), is(true));
            sb.close();
            until(backend, () -> b.log.contains("closed"));
            backend.close();
        });
    }

    @Test
    void aSendRefusedAtOnceIsReportedOnTheNextTurnNotInsideSend() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            IocpBackend backend = new IocpBackend(api);
            Events b = new Events();
            BackendSocket sb = backend.openDatagram(StandardProtocolFamily.INET, b);
            api.failNextSend = WinsockErrors.WSAEACCES;
            assertThat(sb.send(ascii("x"), loopback(9)), is(true));
            assertThat(b.log.isEmpty(), is(true));
            assertThat(sb.inflight(), is(0)); // the slot came straight back
            backend.await(TimeUnit.SECONDS.toNanos(30)); // must not wait: a failure is pending
            assertThat(b.log, is(List.of("failed")));
            assertThat(b.failures.get(0), instanceOf(SocketException.class));
            assertThat(b.failures.get(0).getMessage(), is("WSASendTo failed: permission denied (a broadcast send"
                    + " needs SO_BROADCAST; a port may be reserved) (WSAEACCES 10013)"));
            sb.close();
            until(backend, () -> b.log.contains("closed"));
            backend.close();
        });
    }

    @Test
    void truncatedDatagramIsReportedAndReceivingGoesOn() {
        assertTimeoutPreemptively(LIMIT, () -> {
            IocpBackend backend = new IocpBackend(new SimulatedWinApi());
            Events a = new Events();
            Events b = new Events();
            BackendSocket sa = backend.openDatagram(StandardProtocolFamily.INET, a);
            BackendSocket sb = backend.openDatagram(StandardProtocolFamily.INET, b);
            sa.bind(loopback(0));
            sa.startReceiving(4);
            sb.send(ascii("0123456789"), sa.localAddress());
            sb.send(ascii("ok"), sa.localAddress());
            until(backend, () -> a.log.size() == 2);
            assertThat(a.log, is(List.of("failed", "received ok")));
            // Winsock does not give the full length: the listener hears the least it can be (max + 1).
            assertThat(a.failures.get(0).getMessage(), is("Dropped a datagram of 5 bytes from '" + sb.localAddress()
                    + "': larger than the maxDatagramSize 4 given to startReceiving; receive with a larger size"));
            assertThat(sa.inflight(), is(IocpDatagram.RECEIVES));
            sa.close();
            sb.close();
            until(backend, () -> a.log.contains("closed") && b.log.contains("closed"));
            backend.close();
        });
    }

    @Test
    void closingRightAfterSendingStillDeliversWhatWasSent() {
        assertTimeoutPreemptively(LIMIT, () -> {
            IocpBackend backend = new IocpBackend(new SimulatedWinApi());
            Events a = new Events();
            Events b = new Events();
            BackendSocket sa = backend.openDatagram(StandardProtocolFamily.INET, a);
            BackendSocket sb = backend.openDatagram(StandardProtocolFamily.INET, b);
            sa.bind(loopback(0));
            sa.startReceiving(64);
            sb.send(ascii("one"), sa.localAddress());
            sb.send(ascii("two"), sa.localAddress());
            sb.close();
            until(backend, () -> b.log.contains("closed") && a.log.size() == 2);
            assertThat(a.log, is(List.of("received one", "received two")));
            assertThat(b.log, is(List.of("closed")));
            sa.close();
            until(backend, () -> a.log.contains("closed"));
            backend.close();
        });
    }

    @Test
    void closingFromInsideReceivedStopsReceivingAndStillReportsClosed() {
        assertTimeoutPreemptively(LIMIT, () -> {
            IocpBackend backend = new IocpBackend(new SimulatedWinApi());
            Events a = new Events();
            Events b = new Events();
            BackendSocket sa = backend.openDatagram(StandardProtocolFamily.INET, a);
            BackendSocket sb = backend.openDatagram(StandardProtocolFamily.INET, b);
            a.onReceived = sa::close;
            sa.bind(loopback(0));
            sa.startReceiving(64);
            sb.send(ascii("one"), sa.localAddress());
            sb.send(ascii("two"), sa.localAddress());
            until(backend, () -> a.log.contains("closed"));
            assertThat(a.log, is(List.of("received one", "closed")));
            sb.close();
            until(backend, () -> b.log.contains("closed"));
            backend.close();
        });
    }

    @Test
    void optionsReachWinsockAtTheRightLevel() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            IocpBackend backend = new IocpBackend(api);
            BackendSocket s = backend.openDatagram(StandardProtocolFamily.INET6, new Events());
            s.setOption(StandardSocketOptions.SO_BROADCAST, true);
            s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 7);
            assertThat(api.option(0, Ws2_32.SOL_SOCKET, Ws2_32.SO_BROADCAST), is(1));
            assertThat(api.option(0, Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_MULTICAST_HOPS), is(7));
            assertThat(s.getOption(StandardSocketOptions.SO_BROADCAST), is(true));
            assertThat(s.getOption(StandardSocketOptions.IP_MULTICAST_TTL), is(7));
            assertThrows(UnsupportedOperationException.class,
                    () -> s.setOption(StandardSocketOptions.SO_REUSEPORT, true));
            s.close();
            backend.await(0);
            backend.close();
        });
    }
}
