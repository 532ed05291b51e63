// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectionKey;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A UDP endpoint on a non-blocking {@link DatagramChannel} watched through {@link FdReadiness}.
 *
 * <p>Reads drain up to {@link UdpOptions#readsPerEvent()} datagrams per readiness event into
 * one direct buffer owned by the endpoint (one byte larger than the maximum datagram, so that
 * truncation shows). Writes go straight to the socket on the loop thread when nothing is
 * queued; otherwise they are copied into the {@link SendQueue} (see {@link BaseEndpoint}),
 * drained until the socket would block, then on {@code OP_WRITE}.
 *
 * <p><b>Concurrency.</b> As {@link BaseEndpoint}; the membership map is thread-safe.
 */
final class ReadinessEndpoint extends BaseEndpoint {

    private final DatagramChannel channel;
    private final ByteBuffer receiveBuffer;
    private final Map<Membership, MembershipKey> memberships = new ConcurrentHashMap<>();
    private FdReadiness.Registration registration;

    ReadinessEndpoint(EventLoop loop, DatagramChannel channel, DatagramHandler handler, UdpOptions options,
            InetSocketAddress local, InetSocketAddress remote) {
        super(loop, handler, options, local, remote);
        this.channel = channel;
        this.receiveBuffer = ByteBuffer.allocateDirect(options.maxDatagramSize() + 1);
    }

    /**
     * Registers with the loop and calls onOpen, then completes {@code result}: with the endpoint,
     * or, if onOpen threw, exceptionally with that once the channel is closed; loop thread.
     */
    void start(FdReadiness readiness, java.util.concurrent.CompletableFuture<? super ReadinessEndpoint> result)
            throws IOException {
        registration = readiness.register(channel, SelectionKey.OP_READ, (r, ops) -> ready(ops));
        Throwable failure = opened();
        if (failure != null) {
            openFailed(failure, result);
        } else {
            watchLoop();
            result.complete(this);
        }
    }

    /**
     * A connected {@code DatagramChannel} cannot send a zero-length datagram: {@code write} and
     * {@code send} both return 0 and send nothing. Refused loudly rather than lost quietly.
     */
    @Override
    void checkSendable(int length) {
        if (length == 0 && remoteAddress() != null) {
            throw new IllegalArgumentException("Cannot send a zero-length datagram on connected endpoint " + this
                    + ": the JDK's DatagramChannel sends nothing for an empty buffer once connected;"
                    + " send it from an unconnected endpoint, or use the completion loop");
        }
    }

    @Override
    boolean sendNow(ByteBuffer data, InetSocketAddress to) {
        try {
            int sent = remote != null ? channel.write(data) : channel.send(data, to);
            return sent > 0 || !data.hasRemaining();
        } catch (IOException e) {
            data.position(data.limit());
            ioError(e);
            return true;
        }
    }

    @Override
    void flushLater() {
        // The queue drains on OP_WRITE; it fires at once if the socket has room again.
        if ((registration.interestOps() & SelectionKey.OP_WRITE) == 0) {
            registration.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    @Override
    void drained() {
        if (registration.isValid() && (registration.interestOps() & SelectionKey.OP_WRITE) != 0) {
            registration.interestOps(SelectionKey.OP_READ);
        }
    }

    private void ready(int ops) {
        if ((ops & SelectionKey.OP_READ) != 0) {
            read();
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && !released()) {
            flush();
        }
    }

    private void read() {
        for (int i = 0; i < options.readsPerEvent() && !released(); i++) {
            ByteBuffer buffer = receiveBuffer.clear();
            SocketAddress sender;
            try {
                sender = channel.receive(buffer);
            } catch (IOException e) {
                // An ICMP error on a connected socket, for instance: reported, and the socket goes on.
                ioError(e);
                return;
            }
            if (sender == null) {
                return;
            }
            deliver(buffer.flip(), (InetSocketAddress) sender);
        }
    }

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface) throws IOException {
        Membership m = membership(group, networkInterface);
        checkOpen();
        MembershipKey key = channel.join(group, networkInterface);
        memberships.put(m, key);
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface) {
        MembershipKey key = memberships.remove(membership(group, networkInterface));
        if (key != null) {
            key.drop();
        }
    }

    @Override
    void closeSocket() {
        CompletionStage<Void> deregistered = registration.cancel();
        memberships.clear();
        try {
            channel.close();
        } catch (IOException e) {
            error(e);
        }
        // The JDK frees the socket of a channel closed while still registered only once the
        // loop's selector has deregistered it: the close completes then, so the port is free.
        deregistered.whenComplete((ignored, never) -> socketClosed());
    }
}
