// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import java.nio.ByteBuffer;

/**
 * Writes back what it reads, as a well-behaved server does: it stops reading while the
 * connection is unwritable, so its queue stays near the high water mark and a write is never
 * refused. Closes when the peer does (the default end of input).
 */
class StreamEchoHandler implements StreamHandler {

    @Override
    public void onData(TcpConnection connection, ByteBuffer data) {
        if (!connection.write(data)) {
            throw new AssertionError("echo write refused: the reader should have been paused");
        }
        if (!connection.isWritable()) {
            connection.pauseReading();
        }
    }

    @Override
    public void onWritabilityChanged(TcpConnection connection, boolean writable) {
        if (writable) {
            connection.resumeReading();
        }
    }

    @Override
    public void onError(TcpConnection connection, Throwable error) {
        if (error instanceof AssertionError e) {
            throw e; // to the loop's log: a test then sees bytes missing
        }
        // A test's client may reset; nothing to report.
    }
}
