package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every UDP endpoint shares, whatever drives its socket: the argument checks, the bounded
 * {@link SendQueue} with its writability events, the hand-over of sends from other threads, the
 * close sequence (refuse, flush, close the socket, {@code onClose}, complete) and the reporting
 * of handler exceptions. A subclass says how to send one datagram now, how to be told when the
 * socket can take more, and how to close the socket.
 *
 * <p><b>Lifecycle.</b> The subclass opens the socket, then calls {@link #opened()}. After
 * {@link #close()} the queue drains through {@link #sendNow}, then {@link #closeSocket()} runs;
 * the subclass calls {@link #socketClosed()} once the socket has let go (at once, or when its
 * loop reports it).
 *
 * <p><b>Concurrency.</b> Public methods may be called from any thread. The queue, the flags and
 * the close stage are thread-safe; everything else is touched on the loop thread only.
 */
abstract class BaseEndpoint implements DatagramEndpoint {

    private static final System.Logger LOG = System.getLogger(BaseEndpoint.class.getName());

    final EventLoop loop;
    final DatagramHandler handler;
    final UdpOptions options;
    final InetSocketAddress local;
    final InetSocketAddress remote;
    private final SendQueue queue;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final Runnable flushTask = this::scheduledFlush;
    private boolean notifiedWritable = true;
    private boolean released;

    BaseEndpoint(EventLoop loop, DatagramHandler handler, UdpOptions options, InetSocketAddress local,
            InetSocketAddress remote) {
        this.loop = loop;
        this.handler = handler;
        this.options = options;
        this.local = local;
        this.remote = remote;
        this.queue = new SendQueue(options.sendQueueBytes(), options.sendQueueDatagrams(), options.maxDatagramSize());
    }

    // ---- what a subclass provides, all on the loop thread

    /**
     * Sends one datagram now. On success (or on a failure already reported) the position has
     * advanced to the limit and the result is {@code true}; {@code false} means the socket cannot
     * take it now and nothing was consumed.
     */
    abstract boolean sendNow(ByteBuffer data, InetSocketAddress target);

    /**
     * Refuses, with a typed exception, a payload this kind of socket cannot send; any thread.
     *
     * @implSpec The default accepts everything the shared checks let through.
     */
    void checkSendable(int length) {
    }

    /**
     * The queue is not empty and the loop is not draining it now: arrange for {@link #flush()}
     * to run when the socket can take more (at once, if it refused nothing).
     */
    abstract void flushLater();

    /** The queue is empty: stop waiting for room. */
    abstract void drained();

    /** The queue is empty after {@link #close()}: close the socket, then call {@link #socketClosed()}. */
    abstract void closeSocket();

    // ---- lifecycle hooks for subclasses

    /** Calls {@code onOpen}; loop thread. */
    final void opened() {
        try {
            handler.onOpen(this);
        } catch (RuntimeException | Error e) {
            rethrowIfFatal(e);
            error(e);
        }
    }

    /**
     * The socket is closed. After {@link #close()}, {@code onClose} runs and the stage completes;
     * when the loop closed the socket on its own, the endpoint only turns closed (see
     * {@link DatagramEndpoint}), and what was still queued is reported as not sent.
     */
    final void socketClosed() {
        boolean requested = !closed.compareAndSet(false, true);
        released = true;
        int dropped = queue.clear();
        if (dropped > 0) {
            error(new EndpointClosedException(dropped + " queued datagram(s) of endpoint " + this
                    + " were not sent: loop '" + loop.name() + "' closed the socket first; close endpoints before"
                    + " their loop"));
        }
        if (!requested) {
            closeFuture.complete(null);
            return;
        }
        try {
            handler.onClose(this);
        } finally {
            closeFuture.complete(null);
        }
    }

    /** Whether the socket is closed or closing because the queue has drained after close(). */
    final boolean released() {
        return released;
    }

    // ---- sending

    @Override
    public final boolean send(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (remote == null) {
            throw UdpChecks.notConnected(this);
        }
        return send(data, remote);
    }

    @Override
    public final boolean send(ByteBuffer data, SocketAddress target) {
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
        checkSendable(length);
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
            flushLater();
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
        // One hand-over per batch: while a flush is scheduled, later senders only queue.
        if (reservation == SendQueue.Reservation.ACCEPTED_NOW_FULL || flushScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(flushTask);
            } catch (RejectedExecutionException e) {
                if (queue.takeBack(item)) {
                    throw closedException();
                }
            }
        }
        data.position(data.limit());
        return true;
    }

    /** Schedules a flush from the loop thread, once while one is pending. */
    final void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(flushTask);
            } catch (RejectedExecutionException e) {
                // The loop is closing and closes the socket; socketClosed() reports what is left.
                flushScheduled.set(false);
            }
        }
    }

    private void scheduledFlush() {
        flushScheduled.set(false);
        if (!released) {
            flush();
        }
    }

    /** Sends the queue until the socket refuses; loop thread. */
    final void flush() {
        SendQueue.Item head;
        // At most one queue's worth per call, so that senders on other threads cannot keep the
        // loop sending forever; the rest goes on the next turn.
        int budget = options.sendQueueDatagrams();
        while ((head = queue.peek()) != null) {
            if (budget-- == 0) {
                flushLater();
                notifyWritability();
                return;
            }
            if (!sendNow(head.data(), head.target())) {
                flushLater();
                notifyWritability();
                return;
            }
            queue.remove(head);
        }
        drained();
        notifyWritability();
        if (closed.get() && !released) {
            released = true;
            closeSocket();
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
    public final boolean isWritable() {
        return queue.isWritable();
    }

    final int queued() {
        return queue.size();
    }

    // ---- receiving and errors

    /** Hands a received datagram to the handler, or reports it as too large; loop thread. */
    final void deliver(ByteBuffer data, InetSocketAddress sender) {
        if (data.remaining() > options.maxDatagramSize()) {
            tooLarge(sender);
            return;
        }
        try {
            handler.onDatagram(this, data, sender);
        } catch (RuntimeException | Error e) {
            rethrowIfFatal(e);
            error(e);
        }
    }

    /** Reports a received datagram over the maximum, which was dropped; loop thread. */
    final void tooLarge(InetSocketAddress sender) {
        error(new DatagramTooLargeException("Dropped a datagram from '" + UdpChecks.format(sender)
                + "' larger than the maximum of " + options.maxDatagramSize()
                + " bytes; raise UdpOptions.maxDatagramSize to receive it"));
    }

    /** Reports to the handler; what onError itself throws goes to the loop's exception handler. */
    final void error(Throwable t) {
        try {
            handler.onError(this, t);
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

    private static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError e) {
            throw e;
        }
    }

    // ---- addresses, multicast checks, closing

    @Override
    public final InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public final InetSocketAddress remoteAddress() {
        return remote;
    }

    /** Checks a join or leave and names the membership. */
    final Membership membership(InetAddress group, NetworkInterface networkInterface) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(networkInterface, "networkInterface");
        if (!group.isMulticastAddress()) {
            throw UdpChecks.notMulticast(group);
        }
        UdpChecks.sameFamily(local, new InetSocketAddress(group, 1));
        return new Membership(group, networkInterface);
    }

    /** Refuses a join on a closed endpoint. */
    final void checkOpen() {
        if (closed.get()) {
            throw closedException();
        }
    }

    @Override
    public final EventLoop loop() {
        return loop;
    }

    @Override
    public final boolean isClosed() {
        return closed.get();
    }

    @Override
    public final CompletionStage<Void> close() {
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

    /** Names the loop when the loop is why: the remedy differs (a running loop, not just a new endpoint). */
    private EndpointClosedException closedException() {
        if (loop.isClosed()) {
            return new EndpointClosedException("Endpoint " + this + " cannot send: its loop '" + loop.name()
                    + "' is closed; open a new endpoint on a running loop");
        }
        return UdpChecks.closed(this);
    }

    @Override
    public String toString() {
        return "udp[" + UdpChecks.format(local) + (remote != null ? " -> " + UdpChecks.format(remote) : "")
                + " queued=" + queue.size() + (closed.get() ? " closed" : "") + "]";
    }

    /** A multicast group joined on an interface. */
    record Membership(InetAddress group, NetworkInterface networkInterface) {
    }
}
