package dev.loopwire.loop.iocp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.CompletionPort.Datagram;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Opening and closing many loops leaks no file descriptor, native memory or thread. */
class SoakTest {

    private static final int LOOPS = 1_000;

    @Test
    void aThousandLoopsReturnEveryFdAndByte() throws Exception {
        RequireIoUring.check();
        cycle(); // warm up: JNA loads libc, the JDK opens what it keeps open
        long fds = openFds();
        long bytes = NativeMemory.outstandingBytes();
        long blocks = NativeMemory.outstandingBlocks();
        int threads = Thread.activeCount();
        for (int i = 0; i < LOOPS; i++) {
            cycle();
        }
        assertThat("open file descriptors", openFds(), is(fds));
        assertThat("native bytes outstanding", NativeMemory.outstandingBytes(), is(bytes));
        assertThat("native blocks outstanding", NativeMemory.outstandingBlocks(), is(blocks));
        assertThat("threads", Thread.activeCount() <= threads, is(true));
    }

    /** One loop with one socket that receives and has a send in flight when the loop closes. */
    private static void cycle() throws Exception {
        CompletionLoop loop = CompletionLoop.open();
        try {
            OnLoop.run(loop, () -> {
                Datagram socket = loop.openDatagram(StandardProtocolFamily.INET, new Recorder());
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                socket.startReceiving(512);
                socket.send(ByteBuffer.allocate(8), socket.localAddress());
            });
        } finally {
            loop.close();
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
