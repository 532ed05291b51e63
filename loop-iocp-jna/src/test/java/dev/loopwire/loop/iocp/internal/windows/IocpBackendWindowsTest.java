package dev.loopwire.loop.iocp.internal.windows;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.loopwire.loop.CompletionPort.DatagramListener;
import dev.loopwire.loop.iocp.internal.BackendSocket;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link IocpBackend} on the real Windows kernel, 127.0.0.1 only; skipped elsewhere. */
@EnabledOnOs(OS.WINDOWS)
class IocpBackendWindowsTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    static final class Events implements DatagramListener {
        final List<String> received = new ArrayList<>();
        final List<InetSocketAddress> senders = new ArrayList<>();
        final List<IOException> failures = new ArrayList<>();
        int writable;
        boolean closed;

        @Override
        public void received(ByteBuffer data, InetSocketAddress sender) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.add(new String(bytes, US_ASCII));
            senders.add(sender);
        }

        @Override
        public void writable() {
            writable++;
        }

        @Override
        public void failed(IOException error) {
            failures.add(error);
        }

        @Override
        public void closed() {
            closed = true;
        }
    }

    private static void until(IocpBackend backend, BooleanSupplier done) throws IOException {
        for (int i = 0; i < 100 && !done.getAsBoolean(); i++) {
            backend.await(TimeUnit.MILLISECONDS.toNanos(100));
        }
        assertThat(done.getAsBoolean(), is(true));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(US_ASCII));
    }

    @Test
    void echoThenCloseReturnsNativeMemoryToBaseline() {
        assertTimeoutPreemptively(LIMIT, () -> {
            long baseline = NativeMemory.outstandingBytes();
            IocpBackend backend = new IocpBackend();
            Events a = new Events();
            Events b = new Events();
            BackendSocket sa = backend.openDatagram(StandardProtocolFamily.INET, a);
            BackendSocket sb = backend.openDatagram(StandardProtocolFamily.INET, b);
            // Receiving is asked for before bind: it starts once the socket is bound.
            sa.startReceiving(1500);
            sa.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            sb.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            sb.startReceiving(1500);
            assertThat(sa.inflight(), is(IocpDatagram.RECEIVES));
            sa.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 16);
            assertThat(sa.getOption(StandardSocketOptions.SO_RCVBUF), is(1 << 16));

            ByteBuffer ping = ascii("ping");
            assertThat(sb.send(ping, sa.localAddress()), is(true));
            assertThat(ping.remaining(), is(0));
            until(backend, () -> !a.received.isEmpty());
            assertThat(a.received, is(List.of("ping")));
            assertThat(a.senders.get(0), is(sb.localAddress()));
            assertThat(sa.send(ascii("pong"), a.senders.get(0)), is(true));
            until(backend, () -> !b.received.isEmpty());
            assertThat(b.received, is(List.of("pong")));
            assertThat(a.failures.isEmpty() && b.failures.isEmpty(), is(true));

            sa.close();
            sb.close();
            until(backend, () -> a.closed && b.closed);
            assertThat(backend.sockets(), is(0));
            assertThat(backend.inflight(), is(0));
            backend.close();
            assertThat(NativeMemory.outstandingBytes(), is(baseline));
        });
    }

    @Test
    void allSlotsInFlightRefusesThenReportsWritable() {
        assertTimeoutPreemptively(LIMIT, () -> {
            IocpBackend backend = new IocpBackend();
            Events a = new Events();
            Events b = new Events();
            BackendSocket sa = backend.openDatagram(StandardProtocolFamily.INET, a);
            BackendSocket sb = backend.openDatagram(StandardProtocolFamily.INET, b);
            sa.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            InetSocketAddress target = sa.localAddress();
            // Completions are only reaped in await, so every slot stays taken until then.
            for (int i = 0; i < IocpDatagram.SENDS; i++) {
                assertThat(sb.send(ascii("x"), target), is(true));
            }
            ByteBuffer refused = ascii("y");
            assertThat(sb.send(refused, target), is(false));
            assertThat(refused.remaining(), is(1));
            until(backend, () -> b.writable == 1);
            assertThat(sb.send(refused, target), is(true));
            sa.close();
            sb.close();
            until(backend, () -> a.closed && b.closed);
            backend.close();
        });
    }
}
