package dev.loopwire.loop.iocp.internal.uring;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.CompletionPort.DatagramListener;
import dev.loopwire.loop.iocp.RequireIoUring;
import dev.loopwire.loop.iocp.internal.BackendSocket;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The backend driven directly by the test thread (it has no thread of its own). */
class UringBackendTest {

    private static final InetSocketAddress V4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private long memoryBefore;

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
        memoryBefore = NativeMemory.outstandingBytes();
    }

    @Test
    void receivesWithMultishotAndProvidedBuffersByDefault() throws Exception {
        assertThat(receiveThree(new UringBackend()), is("multishot recvmsg, 512 provided buffers"));
    }

    @Test
    void postsPlainReceivesWhenToldNotToUseBufferRings() throws Exception {
        assertThat(receiveThree(new UringBackend(8, 16, false)), is("16 posted recvmsg"));
    }

    @Test
    void aRefusedSetupThrowsAndLeavesNothingBehind() {
        IOException refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> new UringBackend(0, 16, true));
        assertThat(refused.getMessage(), is("io_uring_setup failed: Invalid argument (EINVAL, errno 22)"));
        assertThat(NativeMemory.outstandingBytes(), is(memoryBefore));
    }

    private String receiveThree(UringBackend backend) throws Exception {
        List<String> events = new ArrayList<>();
        DatagramListener listener = new DatagramListener() {
            @Override
            public void received(ByteBuffer data, InetSocketAddress sender) {
                events.add("received " + data.remaining());
            }

            @Override
            public void writable() {
                events.add("writable");
            }

            @Override
            public void failed(IOException error) {
                events.add("failed " + error.getMessage());
            }

            @Override
            public void closed() {
                events.add("closed");
            }
        };
        String kind;
        try (DatagramChannel peer = DatagramChannel.open().bind(V4)) {
            BackendSocket socket = backend.openDatagram(StandardProtocolFamily.INET, listener);
            socket.bind(V4);
            socket.startReceiving(1500);
            kind = ((UringDatagram) socket).receiverKind();
            for (int size = 1; size <= 3; size++) {
                peer.send(ByteBuffer.allocate(size), socket.localAddress());
            }
            for (int i = 0; i < 100 && events.size() < 3; i++) {
                backend.await(100_000_000L);
            }
            assertThat(backend.inflight(), is(1 + (kind.startsWith("16") ? 15 : 0)));
            socket.close();
            for (int i = 0; i < 100 && backend.sockets() > 0; i++) {
                backend.await(100_000_000L);
            }
            assertThat(events, is(List.of("received 1", "received 2", "received 3", "closed")));
            assertThat(backend.inflight(), is(0));
        } finally {
            backend.close();
        }
        assertThat(NativeMemory.outstandingBytes(), is(memoryBefore));
        return kind;
    }
}
