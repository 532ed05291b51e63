// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Sends every datagram back to its sender; counts what it could not send. */
class EchoHandler implements DatagramHandler {

    long refused;

    @Override
    public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        if (!endpoint.send(data, sender)) {
            refused++;
        }
    }
}
