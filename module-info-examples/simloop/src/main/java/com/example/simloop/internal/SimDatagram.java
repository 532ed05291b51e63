// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;


import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/** A datagram socket on the in-memory network. Loop thread only, except {@link #deliver}. */
final class SimDatagram implements SimSockets.Datagram {

    private final SimPort port;
    private final SimNetwork network;
    private final ProtocolFamily family;
    private final SimSockets.DatagramListener listener;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;
    private volatile boolean open = true;
    private boolean receiving;
    private int maxDatagramSize;

    SimDatagram(SimPort port, SimNetwork network, ProtocolFamily family, SimSockets.DatagramListener listener) {
        this.port = port;
        this.network = network;
        this.family = family;
        this.listener = listener;
    }

    @Override
    public ProtocolFamily family() {
        return family;
    }

    @Override
    public void bind(InetSocketAddress address) throws IOException {
        port.checkLoop();
        checkOpen();
        if (local != null) {
            throw new java.net.BindException("Socket already bound to '" + local + "'");
        }
        local = network.bind(this, address);
    }

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        port.checkLoop();
        checkOpen();
        if (local == null) {
            bind(new InetSocketAddress(loopback(), 0));
        }
        remote = address;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {
        throw unsupported(option);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) {
        throw unsupported(option);
    }

    private static UnsupportedOperationException unsupported(SocketOption<?> option) {
        return new UnsupportedOperationException("Socket option '" + option.name()
                + "' is not simulated; the in-memory network has no socket options");
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Set.of();
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface) throws IOException {
        throw new IOException("Multicast is not simulated: cannot join '" + group + "'");
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface) throws IOException {
        throw new IOException("Multicast is not simulated: cannot leave '" + group + "'");
    }

    @Override
    public void startReceiving(int max) {
        port.checkLoop();
        if (max < 1 || max > 65_535) {
            throw new IllegalArgumentException("maxDatagramSize '" + max + "' is out of range; use 1 to 65535");
        }
        if (!receiving) {
            receiving = true;
            maxDatagramSize = max;
        }
    }

    @Override
    public boolean send(ByteBuffer data, InetSocketAddress target) {
        port.checkLoop();
        if (!open) {
            throw new IllegalStateException("Socket '" + local + "' is closed");
        }
        InetSocketAddress to = target != null ? target : remote;
        if (to == null) {
            throw new IllegalArgumentException("No target for a send on the unconnected socket '" + local + "'");
        }
        if (local == null) {
            try {
                bind(new InetSocketAddress(loopback(), 0));
            } catch (IOException e) {
                listener.failed(e);
                return true;
            }
        }
        byte[] payload = new byte[data.remaining()];
        data.get(payload);
        network.route(local, to, payload);
        return true;
    }

    /** Schedules the arrival on this socket's loop; false if that loop is closed. Any thread. */
    boolean deliver(byte[] payload, InetSocketAddress from) {
        try {
            port.timers().schedule(Duration.ZERO, () -> arrive(payload, from));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void arrive(byte[] payload, InetSocketAddress from) {
        if (!open || !receiving || (remote != null && !remote.equals(from))) {
            network.drop();
            return;
        }
        if (payload.length > maxDatagramSize) {
            listener.failed(new IOException("Datagram of " + payload.length + " bytes from '" + from
                    + "' exceeds the receive size of " + maxDatagramSize + " and was truncated"));
            return;
        }
        listener.received(ByteBuffer.wrap(payload).asReadOnlyBuffer(), from);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        network.unbind(local, this);
        port.closed(this);
        listener.closed();
    }

    private void checkOpen() throws IOException {
        if (!open) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    private InetAddress loopback() {
        return family == StandardProtocolFamily.INET6 ? inet6Loopback() : inet4Loopback();
    }

    private static InetAddress inet4Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress inet6Loopback() {
        try {
            byte[] b = new byte[16];
            b[15] = 1;
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
