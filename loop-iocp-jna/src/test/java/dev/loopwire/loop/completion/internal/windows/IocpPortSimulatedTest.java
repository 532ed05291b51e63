// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static dev.loopwire.loop.completion.internal.windows.PortFixture.ok;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.loopwire.loop.IocpCompletion;
import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.WinsockCalls;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The raw {@code IocpPort} against the simulated completion port: association, every function of
 * the table, completions with tag and bytes, errors typed, cancel, close and posts. It proves the
 * port's logic as written from Microsoft's documentation, not Windows' behaviour.
 */
class IocpPortSimulatedTest {

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(US_ASCII);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @Test
    void anAssociatedSocketGetsItsCompletionWithTagAndBytesOnALaterTurn() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);

            long id = registration.prepare(IocpFunction.WSA_SEND).buffer(direct("hello")).tag(7).submit();

            assertThat("nothing is delivered inside submit()", handler.events, is(empty()));
            assertThat(registration.inflight(), is(1));
            f.turn();
            assertThat(handler.events, contains(ok(IocpFunction.WSA_SEND, 7, 5)));
            assertThat(handler.ids, contains(id));
            assertThat(new String(f.sim.written(socket), US_ASCII), is("hello"));
            assertThat(registration.inflight(), is(0));
        }
    }

    @Test
    void aReceiveFillsTheBufferAndReportsTheCount() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            ByteBuffer buffer = ByteBuffer.allocateDirect(16);

            registration.prepare(IocpFunction.WSA_RECV).buffer(buffer).tag(1).submit();
            f.turn();
            assertThat("pending until data arrives", handler.events, is(empty()));
            f.sim.feed(socket, "ping".getBytes(US_ASCII));
            f.turn();

            assertThat(handler.events, contains(ok(IocpFunction.WSA_RECV, 1, 4)));
            byte[] got = new byte[4];
            buffer.get(0, got);
            assertThat(new String(got, US_ASCII), is("ping"));
            assertThat("the buffer's position is the caller's", buffer.position(), is(0));
        }
    }

    @Test
    void everyFunctionOfTheTableStartsTheRightCallAndCompletes() throws Exception {
        try (PortFixture f = new PortFixture()) {
            WinsockCalls winsock = f.port.winsock();
            long listener = f.tcpSocket();
            winsock.bind(listener, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            winsock.listen(listener, 16);
            int port = winsock.localAddress(listener).getPort();
            long client = f.tcpSocket();
            winsock.bind(client, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            long udp = winsock.socket(WinsockCalls.AF_INET, WinsockCalls.SOCK_DGRAM, WinsockCalls.IPPROTO_UDP);
            winsock.bind(udp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int udpPort = winsock.localAddress(udp).getPort();
            long file = f.api.openFile();
            long accepted = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration l = f.port.associate(listener, handler);
            IocpRegistration c = f.port.associate(client, handler);
            IocpRegistration u = f.port.associate(udp, handler);
            IocpRegistration h = f.port.associate(file, handler);

            NativeBlock peer = c.allocate(IocpPort.SOCKADDR_STORAGE_SIZE);
            int peerLength = winsock.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), false,
                    peer.buffer());
            c.prepare(IocpFunction.CONNECT_EX).address(peer, 0, peerLength).buffer(direct("hi")).tag(1).submit();
            NativeBlock acceptBuffer = l.allocate(2 * IocpPort.ACCEPT_ADDRESS_LENGTH);
            l.prepare(IocpFunction.ACCEPT_EX).acceptSocket(accepted).buffer(acceptBuffer, 0, acceptBuffer.size()).tag(2)
                    .submit();
            NativeBlock target = u.allocate(IocpPort.SOCKADDR_STORAGE_SIZE);
            int targetLength = winsock.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort), false,
                    target.buffer()); // to itself: the datagram model queues it for the receive below
            u.prepare(IocpFunction.WSA_SEND_TO).buffer(direct("dgram")).address(target, 0, targetLength).tag(3).submit();
            NativeBlock from = u.allocate(IocpPort.SOCKADDR_STORAGE_SIZE);
            u.prepare(IocpFunction.WSA_RECV_FROM).buffer(ByteBuffer.allocateDirect(64)).address(from, 0, from.size())
                    .tag(4).submit();
            h.prepare(IocpFunction.WRITE_FILE).buffer(direct("file")).offset(1L << 33).tag(5).submit();
            h.prepare(IocpFunction.READ_FILE).buffer(ByteBuffer.allocateDirect(8)).tag(6).submit();
            c.prepare(IocpFunction.WSA_SEND).buffer(direct("abc")).tag(7).submit();
            c.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).tag(8).submit();
            c.prepare(IocpFunction.DISCONNECT_EX).flags(WinsockCalls.TF_REUSE_SOCKET).tag(9).submit();
            f.turn(); // the simulator's stream stack paired the ConnectEx with the AcceptEx at once
            f.sim.feed(file, "data".getBytes(US_ASCII));
            f.sim.feed(client, "reply".getBytes(US_ASCII));
            f.turn();

            // WSASendTo and WSARecvFrom go to the simulator's datagram model, which does not log calls.
            assertThat(f.sim.calls, contains("ConnectEx", "AcceptEx", "WriteFile", "ReadFile", "WSASend", "WSARecv",
                    "DisconnectEx"));
            assertThat(handler.events.size(), is(9));
            assertThat(handler.events, org.hamcrest.Matchers.containsInAnyOrder(
                    ok(IocpFunction.CONNECT_EX, 1, 2), ok(IocpFunction.ACCEPT_EX, 2, 0),
                    ok(IocpFunction.WSA_SEND_TO, 3, 5), ok(IocpFunction.WSA_RECV_FROM, 4, 5),
                    ok(IocpFunction.WRITE_FILE, 5, 4), ok(IocpFunction.READ_FILE, 6, 4),
                    ok(IocpFunction.WSA_SEND, 7, 3), ok(IocpFunction.WSA_RECV, 8, 5),
                    ok(IocpFunction.DISCONNECT_EX, 9, 0)));
            assertThat(new String(f.sim.written(file), US_ASCII), is("file"));
            assertThat(f.failures, is(empty()));
        }
    }

    @Test
    void scatterGatherSendsEveryWsabufOfABlock() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            NativeBlock wsabufs = registration.allocate(32);
            ByteBuffer head = direct("head-");
            ByteBuffer body = direct("body");
            wsabufs.buffer().putInt(0, head.remaining()).putInt(16, body.remaining());
            wsabufs.putAddress(8, head);
            wsabufs.putAddress(24, body);

            registration.prepare(IocpFunction.WSA_SEND).wsabufs(wsabufs, 0, 2).submit();
            f.turn();

            assertThat(new String(f.sim.written(socket), US_ASCII), is("head-body"));
            assertThat(handler.last(), is(ok(IocpFunction.WSA_SEND, 0, 9)));
        }
    }

    @Test
    void receiveFromReportsTheSenderAddressLength() throws Exception {
        try (PortFixture f = new PortFixture()) {
            WinsockCalls winsock = f.port.winsock();
            long udp = winsock.socket(WinsockCalls.AF_INET, WinsockCalls.SOCK_DGRAM, WinsockCalls.IPPROTO_UDP);
            InetSocketAddress self = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            winsock.bind(udp, self);
            self = winsock.localAddress(udp);
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(udp, handler);
            NativeBlock from = registration.allocate(IocpPort.SOCKADDR_STORAGE_SIZE);
            registration.prepare(IocpFunction.WSA_RECV_FROM).buffer(ByteBuffer.allocateDirect(8))
                    .address(from, 0, from.size()).tag(1).submit();
            ByteBuffer to = ByteBuffer.allocateDirect(WinsockCalls.SOCKADDR_SIZE);
            to.limit(winsock.encode(self, false, to));
            registration.prepare(IocpFunction.WSA_SEND_TO).buffer(direct("abc")).address(to).tag(2).submit();
            f.turn();

            assertThat(handler.events, contains(ok(IocpFunction.WSA_SEND_TO, 2, 3), ok(IocpFunction.WSA_RECV_FROM, 1, 3)));
            assertThat(handler.addressLength, is(16));
            assertThat(winsock.decode(from.buffer(), handler.addressLength), is(self));
        }
    }

    @Test
    void aFailedCompletionCarriesItsCodeAndATypedException() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).tag(3).submit();
            f.sim.completeNext(socket, WinsockErrors.WSAECONNRESET, 0);
            f.turn();

            assertThat(handler.last(), is("WSA_RECV tag=3 bytes=0 error=10054"));
            assertThat(handler.exceptions.get(0), instanceOf(SocketException.class));
            assertThat(handler.exceptions.get(0).getMessage(),
                    is("WSARecv failed: connection reset (WSAECONNRESET 10054)"));
        }
    }

    @Test
    void aRefusedConnectIsAConnectException() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            f.port.winsock().bind(socket, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            ByteBuffer peer = ByteBuffer.allocateDirect(WinsockCalls.SOCKADDR_SIZE);
            peer.limit(f.port.winsock().encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), false, peer));
            registration.prepare(IocpFunction.CONNECT_EX).address(peer).submit();
            f.turn();

            assertThat(handler.last(), is("CONNECT_EX tag=0 bytes=0 error=10061"));
            assertThat(handler.exceptions.get(0), instanceOf(ConnectException.class));
            assertThat(handler.exceptions.get(0).getMessage(),
                    is("ConnectEx failed: connection refused (WSAECONNREFUSED 10061)"));
        }
    }

    @Test
    void aCallRefusedAtOnceCompletesOnTheNextTurnNotInsideSubmit() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long file = f.api.openFile();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(file, handler);
            f.sim.failNext = IocpCompletion.ERROR_HANDLE_EOF;

            registration.prepare(IocpFunction.READ_FILE).buffer(ByteBuffer.allocateDirect(8)).tag(4).submit();
            assertThat(handler.events, is(empty()));
            assertThat(registration.inflight(), is(1));
            f.turn();

            assertThat(handler.events, contains("READ_FILE tag=4 bytes=0 error=38"));
            assertThat(handler.exceptions.get(0), instanceOf(EOFException.class));
            assertThat(handler.exceptions.get(0).getMessage(), is("ReadFile failed: end of file (ERROR_HANDLE_EOF 38)"));
            assertThat(registration.inflight(), is(0));
        }
    }

    @Test
    void extensionFunctionsAreLoadedOncePerRegistration() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            IocpRegistration registration = f.port.associate(socket, new PortFixture.Recorder());
            registration.prepare(IocpFunction.DISCONNECT_EX).submit();
            registration.prepare(IocpFunction.DISCONNECT_EX).submit();
            f.turn();
            assertThat(f.sim.extensionLookups, is(1));
        }
    }

    @Test
    void anExtensionFunctionOnAFileFailsAsACompletion() throws Exception {
        try (PortFixture f = new PortFixture()) {
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(f.api.openFile(), handler);
            registration.prepare(IocpFunction.DISCONNECT_EX).submit();
            f.turn();
            assertThat(handler.last(), is("DISCONNECT_EX tag=0 bytes=0 error=" + WinsockErrors.WSAENOTSOCK));
        }
    }

    @Test
    void cancelOneLeavesTheOthersInFlight() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            long first = registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).tag(1).submit();
            registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).tag(2).submit();

            assertThat(registration.cancel(first), is(true));
            f.turn();

            assertThat(handler.events, contains("WSA_RECV tag=1 bytes=0 error=995 cancelled"));
            assertThat(registration.inflight(), is(1));
            assertThat("a completed operation cannot be cancelled", registration.cancel(first), is(false));
            assertThat("an unknown id", registration.cancel(12345L), is(false));
            f.sim.feed(socket, new byte[2]);
            f.turn();
            assertThat(handler.last(), is(ok(IocpFunction.WSA_RECV, 2, 2)));
        }
    }

    @Test
    void cancelDoesNotReachAnotherRegistrationsOperation() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration a = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            IocpRegistration b = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            long id = a.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).submit();
            assertThat(b.cancel(id), is(false));
            assertThat(a.inflight(), is(1));
        }
    }

    @Test
    void cancelAllCancelsEveryOperationAndKeepsTheRegistrationOpen() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            for (int i = 0; i < 3; i++) {
                registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).tag(i).submit();
            }
            registration.cancelAll();
            f.turn();
            assertThat(handler.events.size(), is(3));
            assertThat(handler.events.stream().allMatch(e -> e.endsWith("cancelled")), is(true));
            assertThat(registration.isOpen(), is(true));
            assertThat(handler.unregistered, is(0));
        }
    }

    @Test
    void closeWithOperationsInFlightUnregistersOnlyAfterTheLastCompletion() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).tag(1).submit();
            registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).tag(2).submit();
            f.api.ignoreCancel = true; // the system takes its time

            registration.close();
            f.turn();
            assertThat(handler.unregistered, is(0));
            assertThat(f.port.liveRegistrations(), is(1));
            f.sim.completeNext(socket, 0, 1);
            f.turn();
            assertThat(handler.unregistered, is(0));
            f.sim.completeNext(socket, WinsockErrors.ERROR_OPERATION_ABORTED, 0);
            f.turn();

            assertThat(handler.events, contains(ok(IocpFunction.WSA_RECV, 1, 1),
                    "WSA_RECV tag=2 bytes=0 error=995 cancelled", "unregistered"));
            assertThat(f.port.liveRegistrations(), is(0));
            f.turn();
            assertThat("exactly once", handler.unregistered, is(1));
        }
    }

    @Test
    void closeWithNothingInFlightUnregistersOnTheNextTurn() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            registration.close();
            registration.close();
            assertThat(handler.unregistered, is(0));
            f.turn();
            assertThat(handler.unregistered, is(1));
            f.port.winsock().close(socket); // allowed now
        }
    }

    @Test
    void aPostReachesItsRegistrationWithBytesAndTag() throws Exception {
        try (PortFixture f = new PortFixture()) {
            PortFixture.Recorder handler = new PortFixture.Recorder();
            PortFixture.Recorder other = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(IocpPort.NO_HANDLE, handler);
            f.port.associate(IocpPort.NO_HANDLE, other);
            long id = registration.post(42, 9);
            assertThat(registration.inflight(), is(1));
            assertThat("a post is not cancellable", registration.cancel(id), is(false));
            f.turn();
            assertThat(handler.events, contains(ok(IocpFunction.POST, 9, 42)));
            assertThat(other.events, is(empty()));
        }
    }

    @Test
    void closingTheLoopTellsOpenRegistrationsWhichCloseByDefault() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            f.port.associate(socket, handler)
                    .prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).submit();
            f.backend.loopClosing();
            f.turn();
            assertThat(handler.events, contains("WSA_RECV tag=0 bytes=0 error=995 cancelled", "unregistered"));
            assertThat(f.backend.sockets(), is(0));
        }
    }

    @Test
    void winsockSetupCalls() throws Exception {
        try (PortFixture f = new PortFixture()) {
            WinsockCalls winsock = f.port.winsock();
            long socket = f.tcpSocket();
            assertThat("unbound", winsock.localAddress(socket), is((InetSocketAddress) null));
            winsock.setOption(socket, WinsockCalls.IPPROTO_TCP, WinsockCalls.TCP_NODELAY, 1);
            assertThat(winsock.getOption(socket, WinsockCalls.IPPROTO_TCP, WinsockCalls.TCP_NODELAY), is(1));
            winsock.bind(socket, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertThat(winsock.localAddress(socket).getAddress(), is(InetAddress.getLoopbackAddress()));
            winsock.listen(socket, 8);
            winsock.shutdown(socket, WinsockCalls.SD_BOTH);
            IllegalArgumentException how = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> winsock.shutdown(socket, 7));
            assertThat(how.getMessage(), is("shutdown how '7' is none of SD_RECEIVE (0), SD_SEND (1), SD_BOTH (2)"));
            SocketException notConnected = org.junit.jupiter.api.Assertions.assertThrows(SocketException.class,
                    () -> winsock.remoteAddress(socket));
            assertThat(notConnected.getMessage(), is("getpeername(socket 0x" + Long.toHexString(socket)
                    + ") failed: socket not connected and no target given (WSAENOTCONN 10057)"));
            winsock.close(socket);
            assertThat(f.api.closedSockets, is(1));
        }
    }

    @Test
    void theWinsockFacetRefusesToCloseAnAssociatedSocket() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            f.port.associate(socket, new PortFixture.Recorder());
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> f.port.winsock().close(socket));
            assertThat(e.getMessage(), is("Socket '0x" + Long.toHexString(socket) + "' is still associated with loop "
                    + "'iocp-test'; close its registration and close the socket in IocpHandler.unregistered"));
            assertThat(f.api.closedSockets, is(0));
        }
    }

    @Test
    void completionsOfOtherKeysOrUnknownSlotsAreIgnored() throws Exception {
        try (PortFixture f = new PortFixture()) {
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(IocpPort.NO_HANDLE, handler);
            registration.post(1, 1);
            f.api.injectStray(LoopIocpPort.KEY_BASE + 77, 0x10);
            f.turn();
            assertThat(handler.events, contains(ok(IocpFunction.POST, 1, 1)));
            assertThat(f.failures, is(empty()));
            assertThat(List.of(f.port.inflight()), not(contains(-1)));
        }
    }

    @Test
    void hundredsOfOperationsInFlightSpanSeveralSlotChunksAndAllComplete() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            ByteBuffer buffer = ByteBuffer.allocateDirect(4);
            java.util.Set<Long> ids = new java.util.HashSet<>();
            int count = 3 * PortSlots.PER_CHUNK + 7;
            for (int i = 0; i < count; i++) {
                ids.add(registration.prepare(IocpFunction.WSA_RECV).buffer(buffer).tag(i).submit());
            }
            assertThat(ids.size(), is(count));
            assertThat(f.port.allocatedBytes(), is(4L * PortSlots.CHUNK_BYTES));
            registration.cancelAll();
            f.turn();
            assertThat(handler.events.size(), is(count));
            assertThat(new java.util.HashSet<>(handler.ids), is(ids));
            assertThat(registration.inflight(), is(0));
            assertThat(f.failures, is(empty()));
        }
    }

    @Test
    void anOldIdNeverReachesTheOperationThatReusedItsSlot() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            long old = registration.prepare(IocpFunction.WSA_SEND).buffer(direct("a")).submit();
            f.turn();
            long reused = registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(4)).submit();
            assertThat("same slot", (int) reused, is((int) old));
            assertThat("new generation", reused == old, is(false));

            assertThat(registration.cancel(old), is(false));
            f.turn();
            assertThat(registration.inflight(), is(1));
            assertThat(f.api.cancels, is(0));
        }
    }
}
