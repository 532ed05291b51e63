package dev.loopwire.transport.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Sends every datagram back to its sender; counts what it could not send. */
class EchoHandler implements DatagramHandler {

    private DatagramEndpoint endpoint;
    long refused;

    @Override
    public void onOpen(DatagramEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void onDatagram(ByteBuffer data, InetSocketAddress sender) {
        if (!endpoint.send(data, sender)) {
            refused++;
        }
    }
}
