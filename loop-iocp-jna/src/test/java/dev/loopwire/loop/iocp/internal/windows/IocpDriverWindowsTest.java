package dev.loopwire.loop.iocp.internal.windows;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Exercises {@link IocpDriver} against the real Windows kernel: UDP on 127.0.0.1 and ::1 through
 * one completion port. Skipped on other systems (the project's build machines are Linux); the
 * Windows CI workflow runs it.
 */
@EnabledOnOs(OS.WINDOWS)
class IocpDriverWindowsTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    /** Records what the driver hands out. */
    static final class Recorder implements IocpDriver.CompletionHandler {
        final List<String> events = new ArrayList<>();
        IocpOperation lastOp;
        int lastBytes = -1;
        int lastError = -1;
        final List<IocpSocket> closed = new ArrayList<>();

        @Override
        public void completed(IocpOperation op, int bytes, int error) {
            events.add(op.kind() + " " + bytes + " " + error);
            lastOp = op;
            lastBytes = bytes;
            lastError = error;
        }

        @Override
        public void closed(IocpSocket socket) {
            closed.add(socket);
        }
    }

    private static InetSocketAddress loopback4() throws IOException {
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
    }

    /** Polls until {@code op} has completed, a bounded number of times. */
    private static void await(IocpDriver driver, Recorder recorder, IocpOperation op) throws IOException {
        for (int i = 0; i < 100 && op.isInFlight(); i++) {
            driver.poll(100, recorder);
        }
        assertThat(op + " completed", op.isInFlight(), is(false));
    }

    private static void put(IocpOperation op, String text) {
        ByteBuffer b = op.buffer();
        b.clear();
        b.put(text.getBytes(US_ASCII));
    }

    private static String read(IocpOperation op, int bytes) {
        byte[] out = new byte[bytes];
        op.buffer().duplicate().clear().get(out, 0, bytes);
        return new String(out, US_ASCII);
    }

    @Test
    void echoOverIpv4() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (IocpDriver driver = IocpDriver.open(64)) {
                Recorder r = new Recorder();
                IocpSocket server = driver.openDatagram(StandardProtocolFamily.INET, 2);
                IocpSocket client = driver.openDatagram(StandardProtocolFamily.INET, 2);
                driver.bind(server, loopback4());
                driver.bind(client, loopback4());
                InetSocketAddress serverAddress = driver.localAddress(server);
                InetSocketAddress clientAddress = driver.localAddress(client);
                assertThat(serverAddress.getAddress().getHostAddress(), is("127.0.0.1"));

                IocpOperation serverReceive = server.operation(0);
                serverReceive.buffer(ByteBuffer.allocateDirect(2048));
                driver.postReceive(serverReceive);
                IocpOperation clientSend = client.operation(0);
                clientSend.buffer(ByteBuffer.allocateDirect(2048));
                put(clientSend, "ping");
                driver.postSend(clientSend, 4, serverAddress);

                await(driver, r, serverReceive);
                assertThat(r.lastError, is(0));
                assertThat(read(serverReceive, r.lastBytes), is("ping"));
                InetSocketAddress sender = server.sender(serverReceive);
                assertThat(sender, is(clientAddress));
                assertThat(server.sender(serverReceive) == sender, is(true));
                await(driver, r, clientSend);
                assertThat(r.events.contains("SEND 4 0"), is(true));

                IocpOperation clientReceive = client.operation(1);
                clientReceive.buffer(ByteBuffer.allocateDirect(2048));
                driver.postReceive(clientReceive);
                IocpOperation serverSend = server.operation(1);
                serverSend.buffer(ByteBuffer.allocateDirect(2048));
                put(serverSend, "pong!");
                driver.postSend(serverSend, 5, sender);
                await(driver, r, clientReceive);
                assertThat(read(clientReceive, 5), is("pong!"));
                assertThat(client.sender(clientReceive), is(serverAddress));
            }
        });
    }

    @Test
    void echoOverIpv6LoopbackAndConnectedSend() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (IocpDriver driver = IocpDriver.open(8)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET6, 1);
                IocpSocket b = driver.openDatagram(StandardProtocolFamily.INET6, 1);
                driver.bind(a, new InetSocketAddress(InetAddress.getByName("::1"), 0));
                driver.bind(b, new InetSocketAddress(InetAddress.getByName("::1"), 0));
                driver.connect(b, driver.localAddress(a));
                a.operation(0).buffer(ByteBuffer.allocateDirect(256));
                driver.postReceive(a.operation(0));
                b.operation(0).buffer(ByteBuffer.allocateDirect(256));
                put(b.operation(0), "six");
                driver.postSend(b.operation(0), 3, null);
                await(driver, r, a.operation(0));
                assertThat(read(a.operation(0), 3), is("six"));
                assertThat(a.sender(a.operation(0)), is(driver.localAddress(b)));
            }
        });
    }

    @Test
    void truncatedDatagramReportsMessageSize() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (IocpDriver driver = IocpDriver.open(8)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 1);
                IocpSocket b = driver.openDatagram(StandardProtocolFamily.INET, 1);
                driver.bind(a, loopback4());
                a.operation(0).buffer(ByteBuffer.allocateDirect(4));
                driver.postReceive(a.operation(0));
                b.operation(0).buffer(ByteBuffer.allocateDirect(64));
                put(b.operation(0), "0123456789");
                driver.postSend(b.operation(0), 10, driver.localAddress(a));
                await(driver, r, a.operation(0));
                assertThat(r.lastError, is(WinsockErrors.WSAEMSGSIZE));
                assertThat(WinsockErrors.exception("WSARecvFrom", r.lastError).getMessage(),
                        is("WSARecvFrom failed: datagram truncated: it was larger than the receive buffer"
                                + " (WSAEMSGSIZE 10040)"));
            }
        });
    }

    @Test
    void portUnreachableDoesNotFailThePendingReceive() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (IocpDriver driver = IocpDriver.open(8)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 2);
                IocpSocket gone = driver.openDatagram(StandardProtocolFamily.INET, 1);
                driver.bind(a, loopback4());
                driver.bind(gone, loopback4());
                InetSocketAddress goneAddress = driver.localAddress(gone);
                driver.close(gone);
                for (int i = 0; i < 10 && driver.sockets() > 1; i++) {
                    driver.poll(100, r);
                }
                a.operation(0).buffer(ByteBuffer.allocateDirect(64));
                driver.postReceive(a.operation(0));
                a.operation(1).buffer(ByteBuffer.allocateDirect(64));
                put(a.operation(1), "x");
                driver.postSend(a.operation(1), 1, goneAddress);
                await(driver, r, a.operation(1));
                // Give an ICMP port-unreachable time to arrive; the receive must still be pending.
                driver.poll(200, r);
                assertThat(a.operation(0).isInFlight(), is(true));
                IocpSocket b = driver.openDatagram(StandardProtocolFamily.INET, 1);
                b.operation(0).buffer(ByteBuffer.allocateDirect(64));
                put(b.operation(0), "ok");
                driver.postSend(b.operation(0), 2, driver.localAddress(a));
                await(driver, r, a.operation(0));
                assertThat(r.events.contains("RECEIVE 2 0"), is(true));
            }
        });
    }

    @Test
    void cancelCompletesTheReceiveAsAborted() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (IocpDriver driver = IocpDriver.open(8)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 1);
                driver.bind(a, loopback4());
                a.operation(0).buffer(ByteBuffer.allocateDirect(64));
                driver.postReceive(a.operation(0));
                assertThrows(IllegalStateException.class, () -> driver.postReceive(a.operation(0)));
                driver.cancel(a);
                await(driver, r, a.operation(0));
                assertThat(WinsockErrors.isAborted(r.lastError), is(true));
                // The socket stays usable after a cancel.
                driver.postReceive(a.operation(0));
                assertThat(a.operation(0).isInFlight(), is(true));
            }
        });
    }

    @Test
    void closingASocketReapsItsOperationsThenReportsClosed() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (IocpDriver driver = IocpDriver.open(8)) {
                Recorder r = new Recorder();
                IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 3);
                driver.bind(a, loopback4());
                for (int i = 0; i < 3; i++) {
                    a.operation(i).buffer(ByteBuffer.allocateDirect(64));
                    driver.postReceive(a.operation(i));
                }
                assertThat(a.inFlight(), is(3));
                driver.close(a);
                for (int i = 0; i < 50 && r.closed.isEmpty(); i++) {
                    driver.poll(100, r);
                }
                assertThat(r.closed, is(List.of(a)));
                assertThat(r.events, is(List.of("RECEIVE 0 995", "RECEIVE 0 995", "RECEIVE 0 995")));
                assertThat(driver.sockets(), is(0));
                assertThat(a.operation(0).buffer() == null, is(true));
                assertThrows(IllegalStateException.class, () -> driver.bind(a, loopback4()));
            }
        });
    }

    @Test
    void wakeupFromAnotherThreadEndsAWait() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (IocpDriver driver = IocpDriver.open(8)) {
                CountDownLatch waiting = new CountDownLatch(1);
                Thread waker = new Thread(() -> {
                    try {
                        waiting.await(5, TimeUnit.SECONDS);
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    driver.wakeup();
                    driver.wakeup(); // coalesced with the first unless the poll already took it
                });
                waker.start();
                waiting.countDown();
                // Without the wake-up this would wait the full limit and fail the timeout.
                assertThat(driver.poll(-1, new Recorder()), is(0));
                waker.join(5000);
                assertThat(waker.isAlive(), is(false));
            }
        });
    }

    @Test
    void closingTheDriverWithOperationsInFlightReleasesEverything() {
        assertTimeoutPreemptively(LIMIT, () -> {
            IocpDriver driver = IocpDriver.open(8);
            IocpSocket a = driver.openDatagram(StandardProtocolFamily.INET, 2);
            driver.bind(a, loopback4());
            a.operation(0).buffer(ByteBuffer.allocateDirect(64));
            driver.postReceive(a.operation(0));
            driver.close();
            assertThat(driver.sockets(), is(0));
            assertThat(driver.toString(), is("iocp[sockets=0 closing=0 inFlight=0 closed]"));
            driver.close(); // second close is a no-op
            assertThrows(IllegalStateException.class, () -> driver.openDatagram(StandardProtocolFamily.INET, 1));
        });
    }
}
