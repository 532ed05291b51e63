package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A UDP endpoint on a non-blocking {@link DatagramChannel} watched through {@link FdReadiness}.
 *
 * <p>Reads drain up to {@link UdpOptions#readsPerEvent()} datagrams per readiness event into
 * one direct buffer owned by the endpoint (one byte larger than the maximum datagram, so that
 * truncation shows). Writes go straight to the socket on the loop thread when nothing is
 * queued; otherwise they are copied into the {@link SendQueue}, drained until the socket would
 * block, then on {@code OP_WRITE}.
 *
 * <p><b>Concurrency.</b> Fields other than the queue, the flags and the membership map are
 * touched on the loop thread only.
 */
final class ReadinessEndpoint implements DatagramEndpoint {

    private static final System.Logger LOG = System.getLogger(ReadinessEndpoint.class.getName());

    private final EventLoop loop;
    private final DatagramChannel channel;
    private final DatagramHandler handler;
    private final UdpOptions options;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final ByteBuffer receiveBuffer;
    private final SendQueue queue;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final Map<Membership, MembershipKey> memberships = new ConcurrentHashMap<>();
    private final Runnable flushTask = this::scheduledFlush;
    private FdReadiness.Registration registration;
    private boolean notifiedWritable = true;
    private boolean released;

    ReadinessEndpoint(EventLoop loop, DatagramChannel channel, DatagramHandler handler, UdpOptions options,
            InetSocketAddress local, InetSocketAddress remote) {
        this.loop = loop;
        this.channel = channel;
        this.handler = handler;
        this.options = options;
        this.local = local;
        this.remote = remote;
        this.receiveBuffer = ByteBuffer.allocateDirect(options.maxDatagramSize() + 1);
        this.queue = new SendQueue(options.sendQueueBytes(), options.sendQueueDatagrams(), options.maxDatagramSize());
    }

    /** Registers with the loop and calls onOpen; loop thread. */
    void start(FdReadiness readiness) throws IOException {
        registration = readiness.register(channel, SelectionKey.OP_READ, (r, ops) -> ready(ops));
        try {
            handler.onOpen(this);
        } catch (RuntimeException | Error e) {
            rethrowIfFatal(e);
            error(e);
        }
    }

    // ---- sending

    @Override
    public boolean send(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (remote == null) {
            throw UdpChecks.notConnected(this);
        }
        return send(data, remote);
    }

    @Override
    public boolean send(ByteBuffer data, SocketAddress target) {
        Objects.requireNonNull(data, "data");
        InetSocketAddress to = UdpChecks.destination(target, "target");
        if (closed.get()) {
            throw closedException();
        }
        if (remote != null && !remote.equals(to)) {
            throw UdpChecks.connectedElsewhere(this, remote, to);
        }
        UdpChecks.sameFamily(local, to);
        int length = data.remaining();
        UdpChecks.size(length, to, options);
        if (loop.inLoop()) {
            if (queue.isEmpty() && sendNow(data, to)) {
                return true;
            }
            return enqueue(data, to, length, true);
        }
        return enqueue(data, to, length, false);
    }

    private boolean enqueue(ByteBuffer data, InetSocketAddress to, int length, boolean inLoop) {
        SendQueue.Reservation reservation = queue.reserve(length);
        if (reservation == SendQueue.Reservation.REFUSED) {
            return false;
        }
        ByteBuffer copy = ByteBuffer.allocate(length);
        copy.put(data.duplicate()).flip();
        SendQueue.Item item = new SendQueue.Item(copy, to);
        queue.add(item);
        if (inLoop) {
            data.position(data.limit());
            // The queue drains on OP_WRITE; it fires at once if the socket has room again.
            if ((registration.interestOps() & SelectionKey.OP_WRITE) == 0) {
                registration.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
            if (reservation == SendQueue.Reservation.ACCEPTED_NOW_FULL) {
                notifyWritability();
            }
            return true;
        }
        // A close may have slipped in after the check in send() and after the loop's last flush:
        // take the datagram back if the loop has not, so that nothing accepted is then dropped.
        if (closed.get() && queue.takeBack(item)) {
            throw closedException();
        }
        if (reservation == SendQueue.Reservation.ACCEPTED_NOW_FULL || flushScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(flushTask);
            } catch (RejectedExecutionException e) {
                if (queue.takeBack(item)) {
                    throw new EndpointClosedException("Endpoint " + this + " cannot send: its loop '" + loop.name()
                            + "' is closed; open a new endpoint on a running loop");
                }
            }
        }
        data.position(data.limit());
        return true;
    }

    /** Sends on the loop thread; false if the socket would block (nothing sent). */
    private boolean sendNow(ByteBuffer data, InetSocketAddress to) {
        try {
            int sent = remote != null ? channel.write(data) : channel.send(data, to);
            return sent > 0 || !data.hasRemaining();
        } catch (IOException e) {
            data.position(data.limit());
            error(e);
            return true;
        }
    }

    private void scheduledFlush() {
        flushScheduled.set(false);
        if (!released) {
            flush();
        }
    }

    /** Writes the queue until the socket would block; loop thread. */
    private void flush() {
        SendQueue.Item head;
        // At most one queue's worth per call, so that senders on other threads cannot keep the
        // loop writing forever; the rest goes on the next OP_WRITE, which fires at once.
        int budget = options.sendQueueDatagrams();
        while ((head = queue.peek()) != null) {
            ByteBuffer data = head.data();
            if (budget-- == 0 || !sendNow(data, head.target())) {
                if ((registration.interestOps() & SelectionKey.OP_WRITE) == 0) {
                    registration.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
                notifyWritability();
                return;
            }
            queue.remove(head);
        }
        if (registration.isValid() && (registration.interestOps() & SelectionKey.OP_WRITE) != 0) {
            registration.interestOps(SelectionKey.OP_READ);
        }
        notifyWritability();
        if (closed.get()) {
            release();
        }
    }

    private void notifyWritability() {
        if (queue.takeWentUnwritable() && notifiedWritable) {
            writabilityChanged(false);
        }
        if (queue.isWritable() != notifiedWritable) {
            writabilityChanged(!notifiedWritable);
        }
    }

    private void writabilityChanged(boolean writable) {
        notifiedWritable = writable;
        try {
            handler.onWritabilityChanged(this, writable);
        } catch (RuntimeException | Error e) {
            rethrowIfFatal(e);
            error(e);
        }
    }

    @Override
    public boolean isWritable() {
        return queue.isWritable();
    }

    // ---- receiving

    private void ready(int ops) {
        if ((ops & SelectionKey.OP_READ) != 0) {
            read();
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && !released) {
            flush();
        }
    }

    private void read() {
        int max = options.maxDatagramSize();
        for (int i = 0; i < options.readsPerEvent() && !released; i++) {
            ByteBuffer buffer = receiveBuffer.clear();
            SocketAddress sender;
            try {
                sender = channel.receive(buffer);
            } catch (IOException e) {
                // An ICMP error on a connected socket, for instance: reported, and the socket goes on.
                error(e);
                return;
            }
            if (sender == null) {
                return;
            }
            buffer.flip();
            if (buffer.remaining() > max) {
                error(new DatagramTooLargeException("Dropped a datagram from '" + UdpChecks.format((InetSocketAddress) sender)
                        + "' larger than the maximum of " + max + " bytes; raise UdpOptions.maxDatagramSize to receive it"));
                continue;
            }
            try {
                handler.onDatagram(buffer, (InetSocketAddress) sender);
            } catch (RuntimeException | Error e) {
                rethrowIfFatal(e);
                error(e);
            }
        }
    }

    /** Reports to the handler; what onError itself throws goes to the loop's exception handler. */
    private void error(Throwable t) {
        try {
            handler.onError(t);
        } catch (RuntimeException | Error e) {
            rethrowIfFatal(e);
            try {
                loop.execute(() -> {
                    throw e;
                });
            } catch (RejectedExecutionException closedLoop) {
                LOG.log(System.Logger.Level.WARNING, "DatagramHandler.onError threw on " + this, e);
            }
        }
    }

    // ---- the rest

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
        Membership m = membership(group, networkInterface);
        if (closed.get()) {
            throw closedException();
        }
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

    private Membership membership(InetAddress group, NetworkInterface networkInterface) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(networkInterface, "networkInterface");
        if (!group.isMulticastAddress()) {
            throw UdpChecks.notMulticast(group);
        }
        UdpChecks.sameFamily(local, new InetSocketAddress(group, 1));
        return new Membership(group, networkInterface);
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public CompletionStage<Void> close() {
        if (closed.compareAndSet(false, true)) {
            if (loop.inLoop()) {
                flush();
            } else {
                try {
                    loop.execute(this::flush);
                } catch (RejectedExecutionException e) {
                    // The loop is gone and has closed the socket with it; nothing is left to flush.
                    closeFuture.complete(null);
                }
            }
        }
        return closeFuture.minimalCompletionStage();
    }

    /** Closes the socket once the queue is empty; loop thread. */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        registration.cancel();
        memberships.clear();
        try {
            channel.close();
        } catch (IOException e) {
            error(e);
        }
        try {
            handler.onClose();
        } finally {
            closeFuture.complete(null);
        }
    }

    private EndpointClosedException closedException() {
        return UdpChecks.closed(this);
    }

    private static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError e) {
            throw e;
        }
    }

    @Override
    public String toString() {
        return "udp[" + UdpChecks.format(local) + (remote != null ? " -> " + UdpChecks.format(remote) : "")
                + " queued=" + queue.size() + (closed.get() ? " closed" : "") + "]";
    }

    private record Membership(InetAddress group, NetworkInterface networkInterface) {
    }
}
