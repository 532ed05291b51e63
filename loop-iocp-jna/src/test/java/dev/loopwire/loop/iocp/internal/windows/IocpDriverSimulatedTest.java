package dev.loopwire.loop.iocp.internal.windows;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link IocpDriver}'s own logic against {@link SimulatedWinApi}: runs everywhere. What Windows
 * itself does is covered by {@code IocpDriverWindowsTest} on Windows only.
 */
class IocpDriverSimulatedTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    static class Recorder implements IocpDriver.CompletionHandler {
        final List<String> events = new ArrayList<>();
        final List<IocpSocket> closed = new ArrayList<>();
        int lastBytes = -1;

        @Override
        public void completed(IocpOperation op, int bytes, int error) {
            events.add(op + " " + bytes + " " + error);
            lastBytes = bytes;
        }

        @Override
        public void closed(IocpSocket socket) {
            closed.add(socket);
        }
    }

    private static InetSocketAddress loopback(int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
    }

    private static void put(IocpOperation op, String text) {
        op.buffer().clear().put(text.getBytes(US_ASCII));
    }

    private static String read(IocpOperation op, int bytes) {
        byte[] out = new byte[bytes];
        op.buffer().duplicate().clear().get(out);
        return new String(out, US_ASCII);
    }

    @Test
    void openConfiguresTheSocketAndCloseReleasesEverything() throws Exception {
        SimulatedWinApi api = new SimulatedWinApi();
        long baseline = NativeMemory.outstandingBytes();
        IocpDriver driver = IocpDriver.open(api, 16);
        assertThat(api.startups, is(1));
        IocpSocket v6 = driver.openDatagram(StandardProtocolFamily.INET6, 4);
        assertThat(v6.key(), is(1));
        assertThat(v6.isIpv6(), is(true));
        assertThat(api.option(0, Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_V6ONLY), is(0)); // dual-stack
        assertThat(api.option(0, 0, Ws2_32.SIO_UDP_CONNRESET), is(0)); // ICMP reset reporting off
        assertThat(driver.toString(), is("iocp[sockets=1 closing=0 inFlight=0]"));
        driver.close();
        assertThat(api.closedSockets, is(1));
        assertThat(api.portClosed, is(true));
        assertThat(api.startups, is(0));
        assertThat(NativeMemory.outstandingBytes(), is(baseline));
        assertThat(driver.toString(), is("iocp[sockets=0 closing=0 inFlight=0 closed]"));
        var e = assertThrows(IllegalStateException.class, () -> driver.openDatagram(StandardProtocolFamily.INET, 1));
        assertThat(e.getMessage(), is("IOCP driver is closed"));
    }

    @Test
    void echoFindsSocketAndSlotFromKeyAndOverlapped() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            try (IocpDriver driver = IocpDriver.open(api, 16)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 3);
                IocpSocket b = driver.openDatagram(StandardProtocolFamily.INET, 3);
                driver.bind(a, loopback(0));
                driver.bind(b, loopback(0));
                InetSocketAddress aAddress = driver.localAddress(a);
                for (int i = 0; i < 3; i++) {
                    a.operation(i).buffer(ByteBuffer.allocateDirect(64));
                    b.operation(i).buffer(ByteBuffer.allocateDirect(64));
                }
                driver.postReceive(a.operation(2));
                assertThat(a.inFlight(), is(1));
                put(b.operation(1), "hello");
                driver.postSend(b.operation(1), 5, aAddress);
                assertThat(driver.poll(1000, r), is(2));
                assertThat(r.events, is(List.of("op-2.1[SEND] 5 0", "op-1.2[RECEIVE] 5 0")));
                assertThat(read(a.operation(2), 5), is("hello"));
                InetSocketAddress sender = a.sender(a.operation(2));
                assertThat(sender, is(driver.localAddress(b)));
                assertThat(a.inFlight(), is(0));
                assertThat(a.operation(2).isInFlight(), is(false));
                // The same peer again: the same InetSocketAddress instance.
                driver.postReceive(a.operation(2));
                driver.postSend(b.operation(1), 5, aAddress);
                driver.poll(1000, r);
                assertThat(a.sender(a.operation(2)), sameInstance(sender));
            }
        });
    }

    @Test
    void immediateSuccessStillCompletesThroughThePort() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            try (IocpDriver driver = IocpDriver.open(api, 16)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 1);
                IocpSocket b = driver.openDatagram(StandardProtocolFamily.INET, 1);
                driver.bind(a, loopback(0));
                b.operation(0).buffer(ByteBuffer.allocateDirect(16));
                put(b.operation(0), "early");
                driver.postSend(b.operation(0), 5, driver.localAddress(a));
                a.operation(0).buffer(ByteBuffer.allocateDirect(16));
                driver.postReceive(a.operation(0)); // the datagram is already there: returns 0
                assertThat(a.operation(0).isInFlight(), is(true));
                driver.poll(1000, r);
                assertThat(r.events.contains("op-1.0[RECEIVE] 5 0"), is(true));
            }
        });
    }

    @Test
    void truncationAndCancellationAreTranslatedFromTheOverlappedStatus() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            try (IocpDriver driver = IocpDriver.open(api, 16)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 2);
                IocpSocket b = driver.openDatagram(StandardProtocolFamily.INET, 1);
                driver.bind(a, loopback(0));
                a.operation(0).buffer(ByteBuffer.allocateDirect(4));
                a.operation(1).buffer(ByteBuffer.allocateDirect(4));
                driver.postReceive(a.operation(0));
                b.operation(0).buffer(ByteBuffer.allocateDirect(16));
                put(b.operation(0), "0123456789");
                driver.postSend(b.operation(0), 10, driver.localAddress(a));
                driver.poll(1000, r);
                assertThat(r.events.contains("op-1.0[RECEIVE] 4 10040"), is(true));
                driver.postReceive(a.operation(1));
                driver.cancel(a);
                driver.poll(1000, r);
                assertThat(r.events.get(r.events.size() - 1), is("op-1.1[RECEIVE] 0 995"));
                driver.cancel(a); // nothing left: ERROR_NOT_FOUND is not an error
            }
        });
    }

    @Test
    void aCallThatFailsAtOnceLeavesTheSlotIdleAndQueuesNothing() throws Exception {
        SimulatedWinApi api = new SimulatedWinApi();
        try (IocpDriver driver = IocpDriver.open(api, 16)) {
            IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 1);
            a.operation(0).buffer(ByteBuffer.allocateDirect(16));
            IOException unbound = assertThrows(IOException.class, () -> driver.postReceive(a.operation(0)));
            assertThat(unbound.getMessage(), is("WSARecvFrom failed: invalid argument (WSAEINVAL 10022)"));
            assertThat(a.operation(0).isInFlight(), is(false));
            assertThat(a.inFlight(), is(0));
            api.failNextSend = WinsockErrors.WSAEACCES;
            IOException denied = assertThrows(IOException.class,
                    () -> driver.postSend(a.operation(0), 1, loopback(9)));
            assertThat(denied, instanceOf(SocketException.class));
            assertThat(a.operation(0).isInFlight(), is(false));
            assertThat(api.queued(), is(0));
        }
    }

    @Test
    void misuseIsRefusedWithClearMessages() throws Exception {
        SimulatedWinApi api = new SimulatedWinApi();
        try (IocpDriver driver = IocpDriver.open(api, 16)) {
            IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 1);
            IocpSocket b = driver.openDatagram(StandardProtocolFamily.INET, 1);
            driver.bind(a, loopback(40_000));
            BindException inUse = assertThrows(BindException.class, () -> driver.bind(b, loopback(40_000)));
            assertThat(inUse.getMessage(), is("bind to '/127.0.0.1:40000' failed: address already in use"
                    + " (WSAEADDRINUSE 10048)"));
            var noBuffer = assertThrows(IllegalStateException.class, () -> driver.postReceive(a.operation(0)));
            assertThat(noBuffer.getMessage(), is("Operation 'op-1.0[NONE]' has no buffer; call buffer(ByteBuffer) first"));
            var heap = assertThrows(IllegalArgumentException.class, () -> a.operation(0).buffer(ByteBuffer.allocate(8)));
            assertThat(heap.getMessage(), is("Buffer 'java.nio.HeapByteBuffer[pos=0 lim=8 cap=8]' is a heap buffer;"
                    + " Winsock needs native memory, use ByteBuffer.allocateDirect"));
            a.operation(0).buffer(ByteBuffer.allocateDirect(8));
            var tooLong = assertThrows(IllegalArgumentException.class,
                    () -> driver.postSend(a.operation(0), 9, loopback(1)));
            assertThat(tooLong.getMessage(), is("Send length '9' is out of range; use 0 to the buffer's capacity 8"));
            driver.postReceive(a.operation(0));
            var twice = assertThrows(IllegalStateException.class, () -> driver.postReceive(a.operation(0)));
            assertThat(twice.getMessage(), is("Operation 'op-1.0[RECEIVE in flight]' is in flight; wait for its completion"));
            var family = assertThrows(UnsupportedOperationException.class,
                    () -> driver.openDatagram(StandardProtocolFamily.UNIX, 1));
            assertThat(family.getMessage(), is("Protocol family 'UNIX' is not supported by IOCP datagram sockets;"
                    + " use StandardProtocolFamily.INET or INET6"));
            assertThat(driver.localAddress(b), is((InetSocketAddress) null));
        }
    }

    @Test
    void closeReportsClosedOnlyAfterEveryOperationCompleted() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            try (IocpDriver driver = IocpDriver.open(api, 16)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 3);
                driver.bind(a, loopback(0));
                for (int i = 0; i < 3; i++) {
                    a.operation(i).buffer(ByteBuffer.allocateDirect(8));
                    driver.postReceive(a.operation(i));
                }
                driver.close(a);
                driver.close(a); // no-op
                assertThat(a.isOpen(), is(false));
                assertThrows(IllegalStateException.class, () -> driver.postReceive(a.operation(0)));
                assertThat(api.closedSockets, is(0)); // the handle stays open until everything is reaped
                driver.poll(1000, r);
                assertThat(r.events, is(List.of("op-1.0[RECEIVE] 0 995", "op-1.1[RECEIVE] 0 995",
                        "op-1.2[RECEIVE] 0 995")));
                assertThat(r.closed, is(List.of(a)));
                assertThat(api.closedSockets, is(1));
                assertThat(driver.sockets(), is(0));
                assertThat(a.operation(0).buffer() == null, is(true));
                // The key is reused by the next socket only now.
                assertThat(driver.openDatagram(StandardProtocolFamily.INET, 1).key(), is(1));
            }
        });
    }

    @Test
    void aSocketWithNothingInFlightClosesOnTheNextPollWithoutWaiting() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            try (IocpDriver driver = IocpDriver.open(api, 16)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 1);
                driver.close(a);
                // A 60 s timeout would fail the test's limit if the poll waited.
                assertThat(driver.poll(60_000, r), is(0));
                assertThat(r.closed, is(List.of(a)));
            }
        });
    }

    @Test
    void aThrowingHandlerLosesNoOtherCompletion() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            try (IocpDriver driver = IocpDriver.open(api, 16)) {
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 2);
                driver.bind(a, loopback(0));
                for (int i = 0; i < 2; i++) {
                    a.operation(i).buffer(ByteBuffer.allocateDirect(8));
                    driver.postReceive(a.operation(i));
                }
                driver.cancel(a);
                List<String> seen = new ArrayList<>();
                var e = assertThrows(IllegalStateException.class, () -> driver.poll(1000, new Recorder() {
                    @Override
                    public void completed(IocpOperation op, int bytes, int error) {
                        seen.add(op.toString());
                        throw new IllegalStateException("boom " + op.index());
                    }
                }));
                assertThat(e.getMessage(), is("boom 0"));
                assertThat(e.getSuppressed()[0].getMessage(), is("boom 1"));
                assertThat(seen, is(List.of("op-1.0[RECEIVE]", "op-1.1[RECEIVE]")));
                assertThat(a.inFlight(), is(0));
            }
        });
    }

    @Test
    void strayCompletionsAreIgnored() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            try (IocpDriver driver = IocpDriver.open(api, 16)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 1);
                api.injectStray(a.key(), 0x10); // not one of the socket's slots
                api.injectStray(99, 0x10); // no such key
                assertThat(driver.poll(1000, r), is(0));
                assertThat(r.events.isEmpty(), is(true));
            }
        });
    }

    @Test
    void wakeupFromAnotherThreadEndsAnEndlessWaitAndCoalesces() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            try (IocpDriver driver = IocpDriver.open(api, 16)) {
                driver.wakeup();
                driver.wakeup();
                assertThat(api.queued(), is(1)); // the second was coalesced
                assertThat(driver.poll(-1, new Recorder()), is(0));
                Thread waker = new Thread(() -> {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    driver.wakeup();
                });
                waker.start();
                assertThat(driver.poll(-1, new Recorder()), is(0));
                waker.join(5000);
                assertThat(api.queued(), is(0));
            }
        });
    }

    @Test
    void closingTheDriverDrainsOperationsInFlightBeforeFreeingTheirMemory() {
        assertTimeoutPreemptively(LIMIT, () -> {
            SimulatedWinApi api = new SimulatedWinApi();
            long baseline = NativeMemory.outstandingBytes();
            IocpDriver driver = IocpDriver.open(api, 16);
            IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 2);
            driver.bind(a, loopback(0));
            a.operation(0).buffer(ByteBuffer.allocateDirect(8));
            driver.postReceive(a.operation(0));
            driver.close();
            driver.close();
            assertThat(driver.sockets(), is(0));
            assertThat(api.closedSockets, is(1));
            assertThat(api.portClosed, is(true));
            assertThat(NativeMemory.outstandingBytes(), is(baseline));
            driver.wakeup(); // after close: ignored, never posted to a closed port
            assertThat(api.queued(), is(0));
        });
    }
}
