// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.IocpCompletion;
import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpHandler;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.WinsockCalls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The raw {@code IocpPort} on the real Windows kernel: a TCP connection over 127.0.0.1 made with
 * AcceptEx and ConnectEx, data both ways with WSASend and WSARecv, a cancelled receive, and
 * unregistration before the sockets are closed. Skipped elsewhere; never run on the project's
 * Linux machines.
 */
@EnabledOnOs(OS.WINDOWS)
class IocpPortWindowsTest {

    /** Records completions as "FUNCTION bytes error" lines. */
    static final class Lines implements IocpHandler {
        final List<String> lines = new ArrayList<>();
        boolean unregistered;

        @Override
        public void complete(IocpRegistration registration, IocpCompletion c) {
            lines.add(c.function() + " " + c.bytes() + " " + c.error());
        }

        @Override
        public void unregistered(IocpRegistration registration) {
            unregistered = true;
        }
    }

    private static void until(IocpBackend backend, BooleanSupplier done) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not done within 10 s: " + backend);
            }
            backend.await(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void acceptConnectSendReceiveCancelAndUnregister() throws Exception {
        IocpBackend backend = new IocpBackend();
        try {
            IocpPort port = backend.iocpPort();
            WinsockCalls winsock = port.winsock();
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
            long listener = winsock.socket(WinsockCalls.AF_INET, WinsockCalls.SOCK_STREAM, WinsockCalls.IPPROTO_TCP);
            winsock.bind(listener, loopback);
            winsock.listen(listener, 4);
            InetSocketAddress listening = winsock.localAddress(listener);
            long accepted = winsock.socket(WinsockCalls.AF_INET, WinsockCalls.SOCK_STREAM, WinsockCalls.IPPROTO_TCP);
            long client = winsock.socket(WinsockCalls.AF_INET, WinsockCalls.SOCK_STREAM, WinsockCalls.IPPROTO_TCP);
            winsock.bind(client, loopback);
            Lines l = new Lines();
            Lines c = new Lines();
            Lines a = new Lines();
            IocpRegistration lr = port.associate(listener, l);
            IocpRegistration cr = port.associate(client, c);

            NativeBlock addresses = lr.allocate(2 * IocpPort.ACCEPT_ADDRESS_LENGTH);
            lr.prepare(IocpFunction.ACCEPT_EX).acceptSocket(accepted).buffer(addresses, 0, addresses.size()).submit();
            NativeBlock peer = cr.allocate(IocpPort.SOCKADDR_STORAGE_SIZE);
            int peerLength = winsock.encode(listening, false, peer.buffer());
            cr.prepare(IocpFunction.CONNECT_EX).address(peer, 0, peerLength).submit();
            until(backend, () -> l.lines.size() == 1 && c.lines.size() == 1);
            assertThat(l.lines.get(0), is("ACCEPT_EX 0 0"));
            assertThat(c.lines.get(0), is("CONNECT_EX 0 0"));
            ByteBuffer listenerValue = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, listener);
            winsock.setOption(accepted, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_UPDATE_ACCEPT_CONTEXT, listenerValue);
            winsock.setOption(client, WinsockCalls.SOL_SOCKET, WinsockCalls.SO_UPDATE_CONNECT_CONTEXT,
                    ByteBuffer.allocate(0));
            assertThat(winsock.remoteAddress(client), is(listening));

            IocpRegistration ar = port.associate(accepted, a);
            ByteBuffer in = ByteBuffer.allocateDirect(16);
            ar.prepare(IocpFunction.WSA_RECV).buffer(in).submit();
            ByteBuffer out = ByteBuffer.allocateDirect(5).put("hello".getBytes(US_ASCII)).flip();
            cr.prepare(IocpFunction.WSA_SEND).buffer(out).submit();
            until(backend, () -> a.lines.size() == 1 && c.lines.size() == 2);
            assertThat(a.lines.get(0), is("WSA_RECV 5 0"));
            byte[] got = new byte[5];
            in.get(0, got);
            assertThat(new String(got, US_ASCII), is("hello"));

            long pending = ar.prepare(IocpFunction.WSA_RECV).buffer(in).submit();
            assertThat(ar.cancel(pending), is(true));
            until(backend, () -> a.lines.size() == 2);
            assertThat(a.lines.get(1), is("WSA_RECV 0 " + IocpCompletion.ERROR_OPERATION_ABORTED));

            for (IocpRegistration r : List.of(lr, cr, ar)) {
                r.close();
            }
            until(backend, () -> l.unregistered && c.unregistered && a.unregistered);
            winsock.close(accepted);
            winsock.close(client);
            winsock.close(listener);
        } finally {
            backend.close();
        }
    }
}
