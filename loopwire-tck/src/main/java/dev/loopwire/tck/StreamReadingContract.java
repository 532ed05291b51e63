// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.transport.tcp.BufferedStreamHandler;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Pausing reading from inside the data callback while the peer keeps sending: nothing more is
 * delivered until {@code resumeReading}, then every byte arrives in order. A provider that
 * receives ahead (a multishot receive whose next completions are already queued when the pause
 * lands) must hold those bytes rather than deliver or drop them.
 */
public abstract class StreamReadingContract extends StreamFailureContract {

    /** For subclasses. */
    protected StreamReadingContract() {
    }

    @Test
    void aPauseInsideOnDataHoldsEverythingThatFollowsUntilResumed() throws Exception {
        pauseInsideTheCallback(false);
    }

    @Test
    void aPauseInsideOnReceivedHoldsEverythingThatFollowsUntilResumed() throws Exception {
        pauseInsideTheCallback(true);
    }

    private void pauseInsideTheCallback(boolean buffered) throws Exception {
        byte[] sent = pattern(2 << 20, 23);
        StreamRecorder server = buffered ? new BufferedRecorder(1000) : new StreamRecorder();
        AtomicInteger callsBeforeResume = new AtomicInteger();
        StreamHandler pausing = buffered ? new PausingBuffered((BufferedRecorder) server, callsBeforeResume)
                : new StreamHandler() {
                    @Override
                    public void onOpen(TcpConnection c) {
                        server.onOpen(c);
                    }

                    @Override
                    public void onData(TcpConnection c, ByteBuffer data) {
                        if (callsBeforeResume.incrementAndGet() == 1) {
                            c.pauseReading();
                        }
                        server.onData(c, data);
                    }
                };
        TcpListener listener = listen(V4, () -> pausing, TcpOptions.defaults());
        try (Socket peer = plainClient(listener)) {
            TcpConnection c = server.opened.get(20, SECONDS);
            OutputStream out = peer.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(sent);
                    out.flush();
                } catch (java.io.IOException e) {
                    // The assertions below report what is missing.
                }
            }, "peer-writer");
            writer.start();
            // Negative check: while paused, no further call (waiting longer only makes it stricter).
            sleep(300);
            assertThat("calls while paused", callsBeforeResume.get(), is(1));
            callsBeforeResume.set(-1_000_000); // no more pausing
            c.resumeReading();
            byte[] got = server.awaitBytes(sent.length);
            writer.join(20_000);
            assertThat(got.length, is(sent.length));
            assertThat(Arrays.equals(got, sent), is(true));
        }
        await(listener.close());
    }

    /** A buffered recorder that reads into its own buffer of {@code size} bytes. */
    static class BufferedRecorder extends StreamRecorder implements BufferedStreamHandler {
        private final ByteBuffer own;

        BufferedRecorder(int size) {
            own = ByteBuffer.allocate(size);
        }

        @Override
        public ByteBuffer receiveBuffer(TcpConnection connection) {
            return own.clear();
        }

        @Override
        public void onReceived(TcpConnection connection, int bytes) {
            onData(connection, own.flip());
        }
    }

    /** Pauses in its first {@code onReceived}, then records like {@link BufferedRecorder}. */
    private static final class PausingBuffered implements BufferedStreamHandler {
        private final BufferedRecorder recorder;
        private final AtomicInteger calls;

        PausingBuffered(BufferedRecorder recorder, AtomicInteger calls) {
            this.recorder = recorder;
            this.calls = calls;
        }

        @Override
        public void onOpen(TcpConnection c) {
            recorder.onOpen(c);
        }

        @Override
        public ByteBuffer receiveBuffer(TcpConnection c) {
            return recorder.receiveBuffer(c);
        }

        @Override
        public void onReceived(TcpConnection c, int bytes) {
            if (calls.incrementAndGet() == 1) {
                c.pauseReading();
            }
            recorder.onReceived(c, bytes);
        }

        @Override
        public void onData(TcpConnection c, ByteBuffer data) {
            throw new AssertionError("a buffered handler gets onReceived, not onData");
        }
    }
}
