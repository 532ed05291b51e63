// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import dev.loopwire.loop.FdReadiness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/** A non-blocking {@link DatagramChannel} watched through the loop's {@link FdReadiness}. */
final class ReadinessWire implements Wire {

    private static final System.Logger LOG = System.getLogger(ReadinessWire.class.getName());
    private static final int READS_PER_EVENT = 16;

    private final DatagramChannel channel;
    private final PresenceCore core;
    private final ByteBuffer in = ByteBuffer.allocate(64);
    private final InetSocketAddress local;
    private FdReadiness.Registration registration;

    private ReadinessWire(DatagramChannel channel, PresenceCore core) throws IOException {
        this.channel = channel;
        this.core = core;
        this.local = (InetSocketAddress) channel.getLocalAddress(); // kept: a closed channel no longer tells
    }

    /** Opens, binds and registers the channel; on the loop thread. */
    static ReadinessWire open(FdReadiness readiness, InetSocketAddress local, PresenceCore core) throws IOException {
        DatagramChannel channel = DatagramChannel.open(Families.of(local));
        try {
            channel.configureBlocking(false);
            channel.bind(local);
            ReadinessWire wire = new ReadinessWire(channel, core);
            wire.registration = readiness.register(channel, SelectionKey.OP_READ, (r, ops) -> wire.read());
            return wire;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void read() {
        try {
            for (int i = 0; i < READS_PER_EVENT; i++) {
                in.clear();
                InetSocketAddress sender = (InetSocketAddress) channel.receive(in);
                if (sender == null) {
                    return;
                }
                core.received(in.flip(), sender);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Heartbeat receive failed on " + localAddress(), e);
        }
    }

    @Override
    public boolean send(ByteBuffer beat, InetSocketAddress peer) {
        try {
            return channel.send(beat, peer) > 0;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Heartbeat to " + peer + " failed", e);
            return false;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void close() {
        registration.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing heartbeat channel failed", e);
        }
    }
}
