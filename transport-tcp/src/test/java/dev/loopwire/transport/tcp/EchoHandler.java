package dev.loopwire.transport.tcp;

import java.nio.ByteBuffer;

/** Writes back what it reads; closes when the peer does (the default end of input). */
class EchoHandler implements StreamHandler {

    @Override
    public void onData(TcpConnection connection, ByteBuffer data) {
        connection.write(data);
    }

    @Override
    public void onError(TcpConnection connection, Throwable error) {
        // A test's client may reset; nothing to report.
    }
}
