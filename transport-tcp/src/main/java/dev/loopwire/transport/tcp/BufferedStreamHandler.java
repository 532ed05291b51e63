// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import java.nio.ByteBuffer;

/**
 * A {@link StreamHandler} that receives into its own buffer, as asyncio's
 * {@code BufferedProtocol}: for parsers that own their buffers and want no copy out of a
 * loop-owned one. A connection whose handler implements this interface calls
 * {@link #receiveBuffer} before each read, reads into that buffer, then calls
 * {@link #onReceived}; {@link #onData} is never called.
 *
 * <p><b>Lifecycle and concurrency.</b> As {@link StreamHandler}. If {@link #receiveBuffer}
 * throws, or returns {@code null}, a read-only buffer or one without room, the problem is
 * reported to {@link #onError} and the connection is closed: it cannot read.
 */
public interface BufferedStreamHandler extends StreamHandler {

    /**
     * Where the next bytes go: the connection reads into the buffer from its position up to its
     * limit, and advances the position. Heap and direct buffers both work; direct ones avoid a
     * copy in the JDK.
     *
     * @param connection the connection about to read
     * @return a writable buffer with room ({@code hasRemaining()})
     */
    ByteBuffer receiveBuffer(TcpConnection connection);

    /**
     * {@code bytes} bytes (at least one) were read into the buffer last returned by
     * {@link #receiveBuffer}, whose position has advanced by as much.
     *
     * @param connection the connection that read
     * @param bytes how many bytes were put into the buffer {@code receiveBuffer} returned, from
     *     its position (now past them)
     */
    void onReceived(TcpConnection connection, int bytes);

    /**
     * Never called for a buffered handler.
     *
     * @implSpec Throws {@link UnsupportedOperationException}.
     */
    @Override
    default void onData(TcpConnection connection, ByteBuffer data) {
        throw new UnsupportedOperationException("A BufferedStreamHandler receives through onReceived");
    }
}
