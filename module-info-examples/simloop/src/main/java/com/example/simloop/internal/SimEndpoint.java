package com.example.simloop.internal;


import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.InvalidAddressException;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * A UDP endpoint on the in-memory network. The send queue is never full: a send is copied and
 * handed to the loop at once, so {@link #isWritable()} is always {@code true}.
 */
final class SimEndpoint implements DatagramEndpoint, SimSockets.DatagramListener {

    private final EventLoop loop;
    private final DatagramHandler handler;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile SimSockets.Datagram datagram;
    private volatile boolean closing;

    SimEndpoint(EventLoop loop, DatagramHandler handler) {
        this.loop = loop;
        this.handler = handler;
    }

    void attach(SimSockets.Datagram socket) {
        this.datagram = socket;
    }

    SimSockets.Datagram datagram() {
        return datagram;
    }

    void opened() {
        try {
            handler.onOpen(this);
        } catch (RuntimeException e) {
            handler.onError(this, e);
        }
    }

    @Override
    public boolean send(ByteBuffer data, SocketAddress target) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(target, "target");
        if (closing) {
            throw new EndpointClosedException("Endpoint '" + localAddress() + "' is closed; open a new one");
        }
        if (!(target instanceof InetSocketAddress to) || to.isUnresolved() || to.getPort() == 0) {
            throw new InvalidAddressException("Target '" + target
                    + "' is not a resolved InetSocketAddress with a port from 1 to 65535");
        }
        InetSocketAddress peer = remoteAddress();
        if (peer != null && !peer.equals(to)) {
            throw new InvalidAddressException("Target '" + to + "' is not the connected peer '" + peer + "'");
        }
        if (data.remaining() > UdpOptions.MAX_IPV4_PAYLOAD) {
            throw new DatagramTooLargeException("Datagram of " + data.remaining() + " bytes exceeds "
                    + UdpOptions.MAX_IPV4_PAYLOAD + " bytes; split it");
        }
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        if (loop.inLoop()) {
            datagram.send(ByteBuffer.wrap(copy), to);
        } else {
            loop.execute(() -> {
                if (datagram.isOpen()) {
                    datagram.send(ByteBuffer.wrap(copy), to);
                }
            });
        }
        return true;
    }

    @Override
    public boolean send(ByteBuffer data) {
        InetSocketAddress peer = remoteAddress();
        if (peer == null) {
            throw new IllegalStateException("Endpoint '" + localAddress()
                    + "' is not connected; use send(data, target)");
        }
        return send(data, peer);
    }

    @Override
    public boolean isWritable() {
        return !closing;
    }

    @Override
    public InetSocketAddress localAddress() {
        return datagram.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return datagram.remoteAddress();
    }

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface) throws IOException {
        throw new IOException("Multicast is not simulated: cannot join '" + group + "'");
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface) {
        // Nothing can have been joined.
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public boolean isClosed() {
        return closing;
    }

    @Override
    public synchronized CompletionStage<Void> close() {
        if (!closing) {
            closing = true;
            try {
                loop.execute(datagram::close);
            } catch (RejectedExecutionException e) {
                closed.complete(null); // the loop closed first and released the socket
            }
        }
        return closed;
    }

    @Override
    public void received(ByteBuffer data, InetSocketAddress sender) {
        try {
            handler.onDatagram(this, data, sender);
        } catch (RuntimeException e) {
            handler.onError(this, e);
        }
    }

    @Override
    public void writable() {
    }

    @Override
    public void failed(IOException error) {
        handler.onError(this, error);
    }

    @Override
    public void closed() {
        try {
            handler.onClose(this);
        } finally {
            closed.complete(null);
        }
    }
}
