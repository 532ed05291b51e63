// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/** A heartbeat socket that is a {@link DatagramEndpoint} of the loop's UDP. Loop thread only. */
final class UdpWire implements Wire {

    private static final System.Logger LOG = System.getLogger(UdpWire.class.getName());

    private final DatagramEndpoint endpoint;

    private UdpWire(DatagramEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Binds an endpoint whose datagrams go to {@code core}; completes on the loop thread. */
    static CompletionStage<UdpWire> open(EventLoop loop, InetSocketAddress local, PresenceCore core) {
        DatagramHandler handler = new DatagramHandler() {
            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                core.received(data, sender);
            }

            @Override
            public void onError(DatagramEndpoint endpoint, Throwable error) {
                LOG.log(System.Logger.Level.DEBUG, "Heartbeat socket error on " + endpoint, error);
            }
        };
        return Udp.bind(local, handler, loop).thenApply(UdpWire::new);
    }

    @Override
    public boolean send(ByteBuffer beat, InetSocketAddress peer) {
        return endpoint.send(beat, peer);
    }

    @Override
    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
