// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import dev.loopwire.loop.completion.internal.NativeMemory;
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

    /** One loop with one registration that has a read in flight when the loop closes. */
    private static void cycle() throws Exception {
        CompletionLoop loop = CompletionLoop.open();
        try {
            OnLoop.run(loop, () -> {
                UringPort port = loop.capability(UringPort.class).orElseThrow();
                int[] pipe = port.posix().pipe(0);
                UringRegistration registration = port.register(pipe[0], new UringHandler() {
                    @Override
                    public void complete(UringRegistration r, UringCompletion completion) {
                    }

                    @Override
                    public void unregistered(UringRegistration r) {
                        try {
                            port.posix().close(pipe[0]);
                            port.posix().close(pipe[1]);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
                registration.prepare(UringPort.OP_READ).addr(registration.allocate(8), 0).len(8).offset(-1).submit();
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
