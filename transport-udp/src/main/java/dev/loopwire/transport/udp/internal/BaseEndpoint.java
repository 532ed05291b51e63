// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What every UDP endpoint shares, whatever drives its socket: the argument checks, the bounded
 * {@link SendQueue} with its writability events, the hand-over of sends from other threads, the
 * close sequence (refuse, flush, close the socket, {@code onClose}, complete) and the reporting
 * of handler exceptions. A subclass says how to send one datagram now, how to be told when the
 * socket can take more, and how to close the socket.
 *
 * <p><b>Lifecycle.</b> The subclass opens the socket, then calls {@link #opened()}, then, once
 * the endpoint is handed out, {@link #watchLoop()}. Closing has one path, run on the loop thread
 * only: a close is <em>requested</em> (by {@link #close()} on any thread, or by the loop's close
 * hook), then <em>begun</em> on the loop thread ({@code close()} hands over with
 * {@code loop.execute}, or runs inline there; the hook runs there anyway); the queue drains
 * through {@link #sendNow}, then {@link #closeSocket()} runs, and the subclass calls
 * {@link #socketClosed()} once the socket has let go (at once, or when its loop reports it);
 * only then {@code onClose} runs and the stage completes. When a closing loop refuses the
 * hand-over of {@code close()}, the close hook has not run yet (it would have requested the
 * close itself) and begins it when it runs: nothing of the close runs on the caller's thread, and
 * the caller waits for nothing but room in a full task queue (see {@link #toLoopThread}).
 *
 * <p><b>Concurrency.</b> Public methods may be called from any thread. A request to close and
 * the addition of a datagram from another thread exclude each other ({@link #sendLock}), so once
 * a close is requested the queue holds every datagram {@code send} accepted, and the loop's
 * drain sees them all. The queue, the flags and the close stage are thread-safe; everything else
 * is touched on the loop thread only.
 */
abstract class BaseEndpoint implements DatagramEndpoint {

    private static final System.Logger LOG = System.getLogger(BaseEndpoint.class.getName());
    private static final long HAND_OVER_PATIENCE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    final EventLoop loop;
    final DatagramHandler handler;
    final UdpOptions options;
    final InetSocketAddress local;
    final InetSocketAddress remote;
    private final SendQueue queue;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    // Requested: set once, by close() or the close hook, under sendLock; refuses later sends.
    private final AtomicBoolean closed = new AtomicBoolean();
    // Taken to request the close and to add a datagram from another thread: no sender adds after
    // the request, so the drain that closes the socket cannot miss one (nor race a take-back).
    private final Object sendLock = new Object();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    // One stage for every close() call, as DatagramEndpoint#close promises.
    private final CompletionStage<Void> closeStage = closeFuture.minimalCompletionStage();
    private final Runnable flushTask = this::scheduledFlush;
    private final Runnable beginCloseTask = this::beginClose;
    // Whether the loop's close hook has run; loop thread. Names the cause when the loop, not the
    // endpoint, ended the socket.
    private boolean hookRan;
    private boolean notifiedWritable = true;
    // Loop thread only: the close has begun (drain, then closeSocket), the socket is let go, and
    // socketClosed() has run (it runs once, whatever reports the socket gone).
    private boolean closing;
    private boolean released;
    private boolean finished;
    private Throwable openFailure;
    private CompletableFuture<?> failedOpen;
    private EventLoop.CloseHook closeHook;

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

    /**
     * Calls {@code onOpen}; loop thread. Whatever it throws, {@code Error}s included, is
     * returned (not thrown) so that the binder can release the socket and fail the bind with it.
     *
     * @return {@code null}, or what {@code onOpen} threw
     */
    final Throwable opened() {
        try {
            handler.onOpen(this);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /**
     * Adds the endpoint's loop close hook: when the loop closes first, the endpoint closes as if
     * its user had called {@link #close()}; loop thread, once the endpoint is handed out.
     */
    final void watchLoop() {
        try {
            closeHook = loop.addCloseHook(this::loopClosed);
        } catch (RejectedExecutionException stopped) {
            // The loop has run its hooks and stopped taking work: it closes now, as its hook would.
            loopClosed();
        }
    }

    /**
     * The loop is closing (its close hook, or the loop telling the registration): the same close
     * as {@link #close()}, begun here if no one began it. A {@code close()} whose hand-over the
     * closing loop refused is begun here too. Loop thread; idempotent.
     */
    final void loopClosed() {
        hookRan = true;
        requestClose();
        beginClose();
    }

    /** Marks the endpoint closed, once, excluding senders that add from other threads; any thread. */
    private boolean requestClose() {
        synchronized (sendLock) {
            return closed.compareAndSet(false, true);
        }
    }

    /** The one close path, on the loop thread: drain what was accepted, then close the socket. */
    private void beginClose() {
        if (closing) {
            return;
        }
        closing = true;
        if (!released) {
            flush();
        }
    }

    /**
     * {@code onOpen} threw {@code failure}: the endpoint closes (what {@code onOpen} queued is
     * dropped, the user never held the endpoint), {@code onClose} is not called, and
     * {@code result}, the bind's stage, fails with {@code failure} once the socket is released.
     * The subclass closes its socket and calls {@link #socketClosed()}, at once or later.
     */
    final void openFailed(Throwable failure, CompletableFuture<?> result) {
        requestClose();
        closing = true;
        released = true;
        queue.clear();
        openFailure = failure;
        failedOpen = result;
        closeSocket();
    }

    /**
     * The socket is closed. After {@link #close()}, {@code onClose} runs and the stage completes;
     * when the loop closed the socket on its own, the endpoint only turns closed (see
     * {@link DatagramEndpoint}), and what was still queued is reported as not sent.
     */
    final void socketClosed() {
        if (finished) {
            return;
        }
        finished = true;
        if (closeHook != null) {
            closeHook.cancel();
        }
        if (openFailure != null) {
            closeFuture.complete(null);
            failedOpen.completeExceptionally(openFailure);
            return;
        }
        // Requested already, unless the socket went away on its own: no sender adds from now on.
        requestClose();
        closing = true;
        released = true;
        int dropped = queue.clear();
        if (dropped > 0) {
            error(new EndpointClosedException(dropped + " queued datagram(s) of endpoint " + this
                    + " were not sent: the socket closed before they were ("
                    + (hookRan ? "loop '" + loop.name() + "' closed it when its close timeout passed"
                            : "the system closed it") + ")"));
        }
        try {
            handler.onClose(this);
        } catch (Throwable t) {
            // onClose is the last word: what it throws goes to the loop's exception handler.
            toLoop("onClose", t);
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
        if (isClosed()) {
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
            // The close is begun on this thread, so it cannot interleave: what is queued now is
            // drained by it.
            if (queue.isEmpty() && sendNow(data, to)) {
                return true;
            }
            SendQueue.Reservation reservation = queue.reserve(length);
            if (reservation == SendQueue.Reservation.REFUSED) {
                return false;
            }
            add(data, to, length);
            flushLater();
            if (reservation == SendQueue.Reservation.ACCEPTED_NOW_FULL) {
                notifyWritability();
            }
            return true;
        }
        return handOver(data, to, length);
    }

    /**
     * Queues a datagram from another thread. Under {@link #sendLock}, so a close is requested
     * either before (refused) or after (the datagram is in the queue the close drains).
     */
    private boolean handOver(ByteBuffer data, InetSocketAddress to, int length) {
        SendQueue.Reservation reservation;
        synchronized (sendLock) {
            if (closed.get()) {
                throw closedException();
            }
            reservation = queue.reserve(length);
            if (reservation == SendQueue.Reservation.REFUSED) {
                return false;
            }
            add(data, to, length);
        }
        // One hand-over per batch: while a flush is scheduled, later senders only queue.
        if (reservation == SendQueue.Reservation.ACCEPTED_NOW_FULL || flushScheduled.compareAndSet(false, true)) {
            boolean taken;
            try {
                taken = toLoopThread(flushTask);
            } catch (RejectedExecutionException stuck) {
                // Accepted already: it goes with the next flush or the close; said loudly here.
                LOG.log(System.Logger.Level.WARNING, "Loop '" + loop.name() + "' refused the flush of " + this
                        + " for 10 s without closing; the datagram stays queued for the next flush", stuck);
                taken = false;
            }
            if (!taken) {
                // The loop is closing and takes no task from this thread. The close was not
                // requested when the datagram was added, so the loop's close hook has not begun
                // the close yet: when it runs, it drains this datagram with the rest (or reports
                // it). No flush is pending, so none may look scheduled.
                flushScheduled.set(false);
            }
        }
        return true;
    }

    /**
     * Hands {@code task} to the loop from another thread. A loop that refuses only because its
     * task bound is reached is running and draining its tasks: the hand-over is retried until
     * it is taken (back-pressure on the caller, never a dropped flush or close), for at most the
     * loop close timeout's worth of time.
     *
     * @return {@code true} if the loop took the task, {@code false} if the loop is closing
     * @throws RejectedExecutionException if a loop that is not closing kept refusing for 10 s
     */
    private boolean toLoopThread(Runnable task) {
        long deadline = System.nanoTime() + HAND_OVER_PATIENCE_NANOS;
        while (true) {
            try {
                loop.execute(task);
                return true;
            } catch (RejectedExecutionException e) {
                if (loop.isClosed()) {
                    return false;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                LockSupport.parkNanos(100_000L);
            }
        }
    }

    /**
     * Queues a private copy of the payload (the caller may reuse its buffer at once) in the room
     * reserved for it, and consumes the payload; if the copy fails (an {@link OutOfMemoryError}),
     * the room is given back and nothing was accepted.
     */
    private void add(ByteBuffer data, InetSocketAddress to, int length) {
        ByteBuffer copy;
        try {
            copy = ByteBuffer.allocate(length);
            copy.put(data.duplicate()).flip();
        } catch (Throwable t) {
            queue.unreserve(length);
            throw t;
        }
        queue.add(new SendQueue.Item(copy, to));
        data.position(data.limit());
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
        while (true) {
            head = queue.peek();
            if (head == null) {
                drained();
                notifyWritability();
                // The writability callback (user code) may have let another sender in, just before a
                // close(): send that too before closing, never close over an accepted datagram.
                if (queue.peek() != null) {
                    continue;
                }
                // Reserved but not yet added (before the close was requested): that sender adds
                // it and its flush follows.
                if (closing && !released && queue.isEmpty()) {
                    released = true;
                    closeSocket();
                }
                return;
            }
            if (budget-- == 0) {
                flushLater();
                notifyWritability();
                return;
            }
            boolean sent;
            try {
                sent = sendNow(head.data(), head.target());
            } catch (RuntimeException e) {
                // This one datagram cannot be sent (the socket refused its arguments): drop and report
                // it, never let it block the datagrams behind it.
                queue.remove(head);
                error(e);
                continue;
            }
            if (!sent) {
                flushLater();
                notifyWritability();
                return;
            }
            queue.remove(head);
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
        } catch (Throwable t) {
            error(t);
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
        } catch (Throwable t) {
            error(t);
        }
    }

    /** Reports a received datagram over the maximum, which was dropped; loop thread. */
    final void tooLarge(InetSocketAddress sender) {
        error(new DatagramTooLargeException("Dropped a datagram from '" + UdpChecks.format(sender)
                + "' larger than the maximum of " + options.maxDatagramSize()
                + " bytes; raise UdpOptions.maxDatagramSize to receive it"));
    }

    /**
     * Reports an I/O error of the socket. An ICMP port unreachable is renamed after the peer it
     * came from (the JDK gives it no message, the kernel's errno text names no address); the
     * original is the cause.
     */
    final void ioError(IOException e) {
        if (e instanceof PortUnreachableException && remote != null) {
            PortUnreachableException named = new PortUnreachableException("Port unreachable: '"
                    + UdpChecks.format(remote) + "' answered with ICMP port unreachable (nothing listens there)"
                    + (e.getMessage() != null ? "; " + e.getMessage() : ""));
            named.initCause(e);
            error(named);
            return;
        }
        error(e);
    }

    /** Reports to the handler; what onError itself throws goes to the loop's exception handler. */
    final void error(Throwable t) {
        try {
            handler.onError(this, t);
        } catch (Throwable e) {
            toLoop("onError", e);
        }
    }

    /**
     * Passes what a handler callback threw to the loop's exception handler, as a task, so that
     * the endpoint's own step (a flush, a close) finishes first. An {@code Error} travels wrapped
     * in a {@link HandlerFailedException}: it was thrown by user code, not by the loop, and must
     * not be taken for a fault of the loop thread. Logged when the loop is closed.
     */
    private void toLoop(String callback, Throwable e) {
        RuntimeException report = e instanceof RuntimeException r ? r
                : new HandlerFailedException("DatagramHandler." + callback + " threw " + e + " on endpoint " + this, e);
        try {
            loop.execute(() -> {
                throw report;
            });
        } catch (RejectedExecutionException closedLoop) {
            LOG.log(System.Logger.Level.WARNING, "DatagramHandler." + callback + " threw on " + this, e);
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

    /** Closed by {@link #close()}, by its socket going away, or because its loop is closed. */
    @Override
    public final boolean isClosed() {
        return closed.get() || loop.isClosed();
    }

    /**
     * Requests the close and begins it on the loop thread: inline there (from a handler, a task
     * or a close hook), else handed over; never waits for the close itself. A closing loop that refuses the hand-over
     * has not run this endpoint's close hook yet (the hook requests the close itself, so this
     * request would have found it made): the hook begins the close. After the loop closed, the
     * hook has run and the close was requested by it: the same, completed stage is returned.
     */
    @Override
    public final CompletionStage<Void> close() {
        if (requestClose()) {
            if (loop.inLoop()) {
                beginClose();
            } else {
                // false: the loop is closing; its close hook begins this close when it runs (see above).
                toLoopThread(beginCloseTask);
            }
        }
        return closeStage;
    }

    /** A call on the socket that may fail with an {@link IOException}. */
    interface SocketCall {
        /**
         * Runs the call.
         *
         * @throws IOException if the socket refuses
         */
        void run() throws IOException;
    }

    /**
     * Runs a socket call on the loop thread (now, if called there) and waits for it.
     *
     * @throws IOException what the call threw, or {@link InterruptedIOException} if interrupted
     */
    final void onLoop(SocketCall call) throws IOException {
        if (loop.inLoop()) {
            call.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                call.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for loop '" + loop.name() + "'");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** As {@link #onLoop}, with an {@link IOException} wrapped in an {@link UncheckedIOException}. */
    final void onLoopUnchecked(SocketCall call) {
        try {
            onLoop(call);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
                + " queued=" + queue.size() + (isClosed() ? " closed" : "") + "]";
    }

    /** A multicast group joined on an interface. */
    record Membership(InetAddress group, NetworkInterface networkInterface) {
    }
}
