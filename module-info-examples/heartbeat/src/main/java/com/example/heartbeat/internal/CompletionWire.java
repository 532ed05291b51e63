package com.example.heartbeat.internal;

import dev.loopwire.loop.CompletionPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** A socket of the loop's {@link CompletionPort}: receives arrive already read, on the loop thread. */
final class CompletionWire implements Wire, CompletionPort.DatagramListener {

    private static final System.Logger LOG = System.getLogger(CompletionWire.class.getName());
    private static final int MAX_DATAGRAM = 64;

    private final PresenceCore core;
    private CompletionPort.Datagram socket;

    private CompletionWire(PresenceCore core) {
        this.core = core;
    }

    /** Opens, binds and starts receiving; on the loop thread. */
    static CompletionWire open(CompletionPort port, InetSocketAddress local, PresenceCore core) throws IOException {
        CompletionWire wire = new CompletionWire(core);
        wire.socket = port.openDatagram(Families.of(local), wire);
        try {
            wire.socket.bind(local);
            wire.socket.startReceiving(MAX_DATAGRAM);
            return wire;
        } catch (IOException | RuntimeException e) {
            wire.socket.close();
            throw e;
        }
    }

    @Override
    public void received(ByteBuffer data, InetSocketAddress sender) {
        core.received(data, sender);
    }

    @Override
    public void writable() {
        // Beats that found no free slot were dropped; the next tick sends again.
    }

    @Override
    public void failed(IOException error) {
        LOG.log(System.Logger.Level.DEBUG, "Heartbeat socket error on " + localAddress(), error);
    }

    @Override
    public void closed() {
    }

    @Override
    public boolean send(ByteBuffer beat, InetSocketAddress peer) {
        return socket.send(beat, peer);
    }

    @Override
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
