package dev.loopwire.loop.iocp;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.CompletionPort.Datagram;
import dev.loopwire.loop.iocp.internal.uring.UringBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A listener that keeps the payload buffers it was lent and reads them after the socket and the
 * loop closed, with both io_uring receivers (provided-buffer ring, posted receives): stale bytes
 * at worst, never freed memory (issue #10, item 4; before the fix the JVM died with SIGSEGV).
 */
class KeptReceiveBufferTest {

    static Stream<Named<Supplier<CompletionLoop>>> receivers() {
        return Stream.of(
                Named.of("multishot", () -> start(true)),
                Named.of("posted", () -> start(false)));
    }

    private static CompletionLoop start(boolean bufferRings) {
        RequireIoUring.check();
        try {
            return CompletionLoop.start(new UringBackend(UringBackend.ENTRIES, 2048, bufferRings), Thread::new);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("receivers")
    void keptPayloadsStayReadableAfterTheLoopClosed(Supplier<CompletionLoop> loops) throws Exception {
        for (int round = 0; round < 10; round++) {
            List<ByteBuffer> kept = new CopyOnWriteArrayList<>();
            CountDownLatch got = new CountDownLatch(4);
            try (CompletionLoop loop = loops.get();
                    DatagramChannel peer = DatagramChannel.open(StandardProtocolFamily.INET)) {
                Datagram socket = OnLoop.call(loop, () -> {
                    Datagram s = loop.openDatagram(StandardProtocolFamily.INET, new CompletionPort.DatagramListener() {
                        @Override
                        public void received(ByteBuffer data, InetSocketAddress sender) {
                            kept.add(data); // kept past the call, against the contract
                            got.countDown();
                        }

                        @Override
                        public void writable() {
                        }

                        @Override
                        public void failed(IOException error) {
                        }

                        @Override
                        public void closed() {
                        }
                    });
                    s.bind(new InetSocketAddress("127.0.0.1", 0));
                    s.startReceiving(2000);
                    return s;
                });
                InetSocketAddress address = OnLoop.call(loop, socket::localAddress);
                for (int i = 0; i < 4; i++) {
                    ByteBuffer out = ByteBuffer.allocate(1500);
                    out.put(0, (byte) (i + 1));
                    peer.send(out, address);
                }
                assertThat(got.await(10, SECONDS), is(true));
                OnLoop.call(loop, () -> {
                    socket.close();
                    return null;
                });
            }
            System.gc();
            long sum = 0;
            for (ByteBuffer b : kept) {
                for (int i = 0; i < 1500; i++) {
                    sum += b.get(i);
                }
                ByteBuffer copy = ByteBuffer.allocate(1500);
                copy.put(b.duplicate().clear().limit(1500));
                assertThat(copy.position(), is(1500));
            }
            assertThat(sum != Long.MIN_VALUE, is(true)); // the reads happened and the JVM is alive
        }
    }
}
