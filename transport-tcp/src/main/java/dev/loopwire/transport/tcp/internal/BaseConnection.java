// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.transport.tcp.ConnectionResetException;
import dev.loopwire.transport.tcp.OutputClosedException;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What every TCP connection shares, whatever drives its socket: argument checks, the
 * {@link WriteQueue} with its water marks and writability events, the hand-over of writes from
 * other threads, the half-close state machine (end of input, {@code shutdownOutput}, both ways
 * done), graceful close and abort, and the guards that pass whatever a handler throws,
 * {@link Error}s included, to {@code onError} and what {@code onError} throws to the loop.
 *
 * <p>A provider (readiness, io_uring, IOCP) says only how to write now, how to send the queue,
 * how to send a FIN, how to turn reading on and off, and how to close the socket; it reports
 * back with {@link #consumed}, {@link #drained()}, {@link #deliver} / {@link #received},
 * {@link #endOfInput()}, {@link #fail} and {@link #socketClosed()}. Every handler call goes through
 * {@link GuardedHandler}.
 *
 * <p><b>Lifecycle.</b> The provider opens the socket, sets the addresses, calls
 * {@link #opened()}. {@link #close()} refuses writes, keeps reading but discards (so that the
 * kernel does not answer our FIN with a reset for unread bytes), flushes, then has the provider
 * close the socket; {@link #abort()} drops the queue and has it reset the socket. Either way the
 * provider calls {@link #socketClosed()} once the socket is released: {@code onClose} runs and
 * the close stage completes. Close and abort requested on the loop thread still run as a task
 * of their own, so that {@code onClose} never runs inside another callback of the same handler.
 *
 * <p><b>Concurrency.</b> Public methods may be called from any thread; the queue and the
 * {@code volatile} / atomic flags are thread-safe; every other field is touched on the loop
 * thread only.
 */
abstract class BaseConnection implements TcpConnection {

    final EventLoop loop;
    final GuardedHandler handler;
    final TcpOptions options;
    final WriteQueue queue;
    InetSocketAddress local;
    InetSocketAddress remote;

    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> shutdownFuture = new CompletableFuture<>();
    // One stage object each, so that every call returns the same one (and callers cannot complete it).
    private final CompletionStage<Void> closeStage = closeFuture.minimalCompletionStage();
    private final CompletionStage<Void> shutdownStage = shutdownFuture.minimalCompletionStage();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final AtomicBoolean abortRequested = new AtomicBoolean();
    private final AtomicBoolean shutdownRequested = new AtomicBoolean();
    private final Runnable flushTask = this::scheduledFlush;
    private final WriteQueue.Sink sink = this::writeNow;
    // Made once: a method reference evaluated per pause or resume would be an object each time.
    private final Runnable applyReadInterestTask = this::applyReadInterest;
    private final List<WriteQueue.Entry> released = new ArrayList<>();
    private volatile boolean readingWanted = true;
    private volatile boolean inputEnded;
    private volatile boolean ended;
    private boolean outputShut;
    private boolean shutdownPending;
    private boolean socketReleased;
    private boolean notifiedWritable = true;
    private boolean open;
    private EventLoop.CloseHook closeHook;
    private volatile boolean loopClosed;
    // Hand-overs (close, abort, shutdownOutput, pause/resume) a closing loop refused before this
    // connection's close hook ran: the hook runs them, on the loop thread (issue #11 leftovers).
    private final java.util.Queue<Runnable> refusedBeforeHook = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private Timers.Timeout closeBound;

    BaseConnection(EventLoop loop, StreamHandler handler, TcpOptions options) {
        this(loop, handler, options, WriteQueue.Copies.HEAP);
    }

    /** With {@code copies}: where the queue's private copies come from (see {@link WriteQueue.Copies}). */
    BaseConnection(EventLoop loop, StreamHandler handler, TcpOptions options, WriteQueue.Copies copies) {
        this.loop = loop;
        this.handler = new GuardedHandler(loop, handler);
        this.options = options;
        this.queue = new WriteQueue(options.writeBufferLowWaterMark(), options.writeBufferHighWaterMark(),
                options.writeQueueLimit(), copies);
    }

    // ---- what a provider provides, all on the loop thread

    /**
     * Writes at once what the socket takes, called under the queue's lock with the queue empty;
     * returns the bytes written. On an I/O failure, keep it for {@link #fail} (after the call)
     * and return 0.
     *
     * @implSpec The default writes nothing: for providers that only send asynchronously.
     */
    int writeNow(ByteBuffer data) {
        return 0;
    }

    /** A failure kept by {@link #writeNow}, reported once the queue's lock is released; or {@code null}. */
    IOException takeWriteFailure() {
        return null;
    }

    /**
     * Sends the queue: now, until the socket refuses (then arrange to go on when it can take
     * more), or by submitting a send if none is in flight. Report progress with
     * {@link #consumed}, and call {@link #drained()} when the queue is found empty.
     */
    abstract void flush();

    /** The queue has bytes the socket refused: go on when it can take more. */
    abstract void flushLater();

    /**
     * Sends a FIN (the queue is empty and nothing is in flight): returns {@code true} if it is
     * sent, or {@code false} if it is on its way, and the provider calls {@link #shutdownDone}
     * when it is.
     */
    abstract boolean shutdownOutputNow() throws IOException;

    /** Turns reading on or off. */
    abstract void readInterest(boolean on);

    /**
     * Whether an asynchronous send may still read queued copies: then a dropped queue does not
     * give its copies back for reuse (another connection's bytes must never reach this peer).
     *
     * @implSpec The default says no: for providers that write synchronously.
     */
    boolean sendInFlight() {
        return false;
    }

    /** Closes the socket ({@code reset}: with {@code SO_LINGER} 0), then calls {@link #socketClosed()}. */
    abstract void closeSocket(boolean reset);

    // ---- the loop closing

    /**
     * How long a connection flushes once its loop is closing before it resets: half of the
     * 10 s close timeout of loopwire's loops, so that {@code onClose} still runs before the loop
     * gives up and releases the sockets itself.
     */
    static final Duration LOOP_CLOSE_FLUSH_BOUND = Duration.ofSeconds(5);

    /**
     * Adds the loop close hook, once the socket is registered (connecting or accepted); loop
     * thread. It is cancelled when the connection ends first.
     */
    final void watchLoopClose() {
        closeHook = loop.addCloseHook(this::loopClosing);
    }

    /** Removes the close hook and the flush bound, when the connection ends first; loop thread. */
    final void unwatchLoopClose() {
        if (closeHook != null) {
            closeHook.cancel();
            closeHook = null;
        }
        if (closeBound != null) {
            closeBound.cancel();
            closeBound = null;
        }
    }

    /**
     * The loop is closing (its close hook, on the loop thread): a graceful close, bounded by
     * {@link #LOOP_CLOSE_FLUSH_BOUND}, after which the connection resets. A provider whose
     * connect is still pending fails it instead (override, then call this once connected).
     */
    void loopClosing() {
        closeHook = null;
        loopClosed = true;
        if (socketReleased) {
            refusedBeforeHook.clear();
            return;
        }
        close();
        // A close() or abort() on another thread whose hand-over this closing loop refused
        // (before this hook or while it runs) is done here: both steps are idempotent. Else
        // the connection would wait for the flush bound.
        if (abortRequested.get()) {
            abortOnLoop();
        } else {
            applyReadInterest();
            kick();
        }
        // The other hand-overs refused before this hook ran (shutdownOutput, pause, resume).
        Runnable refused;
        while ((refused = refusedBeforeHook.poll()) != null) {
            refused.run();
        }
        if (socketReleased) {
            return; // closed at once: no bound to wait for
        }
        loop.capability(Timers.class).ifPresent(timers -> closeBound = timers.schedule(LOOP_CLOSE_FLUSH_BOUND, () -> {
            closeBound = null;
            abort();
        }));
    }

    /** The failure of a connect still pending when its loop closes: a {@link java.net.ConnectException} naming the loop. */
    final java.net.ConnectException connectAbandoned() {
        return new java.net.ConnectException("Connect to '" + TcpChecks.format(remote) + "' was abandoned: its loop '"
                + loop.name() + "' is closing; connect on a running loop");
    }

    // ---- lifecycle, for providers

    /** Calls {@code onOpen}; loop thread. */
    final void opened() {
        open = true;
        handler.open(this);
        applyReadInterest();
    }

    /** Whether reading is wanted now: not paused, input not ended, not released; while closing, reads are discarded. */
    final boolean readingNow() {
        if (socketReleased || inputEnded) {
            return false;
        }
        return readingWanted || closeRequested.get();
    }

    /** Whether data now read is discarded because the connection is closing. */
    final boolean discarding() {
        return closeRequested.get() || abortRequested.get();
    }

    /** Whether the socket is closed or closing for good; providers stop at once. */
    final boolean released() {
        return socketReleased;
    }

    final void applyReadInterest() {
        if (!socketReleased) {
            readInterest(readingNow());
        }
    }

    /** Hands bytes read into a loop-owned buffer to {@code onData}, or discards them while closing. */
    final void deliver(ByteBuffer data) {
        if (!discarding()) {
            handler.data(this, data);
        }
    }

    /**
     * The buffered handler's buffer for the next read, or {@code null} when it gave none usable
     * (reported, and the connection is closing) or the connection is closing (reads are then
     * discarded into a loop buffer instead).
     */
    final ByteBuffer receiveBuffer() {
        ByteBuffer b = handler.receiveBuffer(this);
        if (b == null) {
            close();
        }
        return b;
    }

    /** Whether reads go into the handler's own buffer ({@link #receiveBuffer()}, {@link #received}) now. */
    final boolean receivesIntoHandlerBuffer() {
        return handler.buffered() && !discarding();
    }

    /** Tells the buffered handler {@code bytes} were read into its buffer. */
    final void received(int bytes) {
        handler.received(this, bytes);
    }

    /** The peer's FIN arrived: stop reading, ask the handler whether to stay half-open. */
    final void endOfInput() {
        if (inputEnded || socketReleased) {
            return;
        }
        inputEnded = true;
        readInterest(false);
        if (discarding()) {
            return;
        }
        if (!handler.stayHalfOpen(this) || outputShut) {
            close();
        }
    }

    /**
     * Records bytes that left the queue (see {@link WriteQueue#consumed}), releases the owned
     * buffers done with, and reports writability; returns whether the queue is empty.
     */
    final boolean consumed(long written) {
        boolean empty = queue.consumed(written, released);
        runReleases();
        notifyWritability();
        return empty;
    }

    /** The queue is empty: send the FIN or close the socket if that was waiting for it. */
    final void drained() {
        notifyWritability();
        if (socketReleased) {
            return;
        }
        if (shutdownRequested.get() && !outputShut) {
            if (shutdownPending || slippedIn()) {
                return;
            }
            boolean sent;
            try {
                sent = shutdownOutputNow();
            } catch (IOException e) {
                fail(e);
                return;
            }
            if (!sent) {
                shutdownPending = true;
                return;
            }
            outputShut();
        }
        if (closeRequested.get() && !socketReleased) {
            if (slippedIn()) {
                return;
            }
            socketReleased = true;
            closeSocket(false);
        }
    }

    private void outputShut() {
        outputShut = true;
        shutdownFuture.complete(null);
        if (inputEnded) {
            close();
        }
    }

    /** The FIN a provider had on its way ({@link #shutdownOutputNow}) is sent, or failed ({@code failure}). */
    final void shutdownDone(IOException failure) {
        shutdownPending = false;
        if (socketReleased) {
            return;
        }
        if (failure != null) {
            fail(failure);
            return;
        }
        outputShut();
        drained();
    }

    /**
     * Whether a write reached the queue after the provider found it empty and before the request
     * we are about to act on refused writes; it is then sent first. Requests refuse writes
     * before they raise their flag, so once a flag is seen, this answer is final.
     */
    private boolean slippedIn() {
        if (queue.isEmpty()) {
            return false;
        }
        flushLater();
        return true;
    }

    /** An I/O failure ends the connection: reported (a reset typed as such), queue dropped, socket closed. */
    final void fail(IOException e) {
        if (socketReleased) {
            return;
        }
        queue.refuse("Connection " + this + " failed (" + e.getMessage() + "); open a new connection");
        report(typed(e));
        dropQueue();
        socketReleased = true;
        closeSocket(false);
    }

    private IOException typed(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (e instanceof ConnectionResetException || !(m.contains("reset") || m.contains("broken pipe"))) {
            return e;
        }
        return new ConnectionResetException("Connection " + this + " was reset by the peer (" + e.getMessage()
                + "); queued bytes were dropped. Open a new connection", e);
    }

    /** The socket is released: drops what is left, calls {@code onClose} once, completes the stages. */
    final void socketClosed() {
        socketReleased = true;
        ended = true;
        unwatchLoopClose();
        queue.refuseUnlessRefusing("Connection " + this + " is closed; open a new connection");
        dropQueue();
        failPendingShutdown();
        try {
            if (open) {
                handler.close(this);
            }
        } finally {
            closeFuture.complete(null);
        }
    }

    /** A FIN still waiting when the connection ended will never be sent: its stage fails. */
    private void failPendingShutdown() {
        if (!shutdownFuture.isDone()) {
            shutdownFuture.completeExceptionally(new OutputClosedException("Connection " + this
                    + " ended before its FIN was sent"));
        }
    }

    private void dropQueue() {
        queue.drop(released, !sendInFlight());
        runReleases();
    }

    private void runReleases() {
        if (released.isEmpty()) {
            return;
        }
        // Copied first: a release callback may write, and a write may consume and release again.
        List<WriteQueue.Entry> now = List.copyOf(released);
        released.clear();
        for (WriteQueue.Entry e : now) {
            handler.release(this, e.release(), e.data());
        }
    }

    /** Passes {@code t} to {@code onError}; what that throws goes to the loop's exception handler. */
    final void report(Throwable t) {
        handler.error(this, t);
    }

    // ---- writing

    @Override
    public final boolean write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        return offer(data, null);
    }

    @Override
    public final boolean writeNoCopy(ByteBuffer buffer, Consumer<? super ByteBuffer> onRelease) {
        Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(onRelease, "onRelease");
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("writeNoCopy needs a direct buffer, got heap buffer '" + buffer
                    + "'; use write(buffer), which copies, or ByteBuffer.allocateDirect");
        }
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("writeNoCopy needs a writable buffer it can own, got read-only buffer '"
                    + buffer + "'; use write(buffer), which copies");
        }
        return offer(buffer, onRelease);
    }

    private boolean offer(ByteBuffer data, Consumer<? super ByteBuffer> release) {
        if (data.remaining() > options.writeQueueLimit()) {
            throw new IllegalArgumentException("A write of '" + data.remaining() + "' bytes can never fit the write"
                    + " queue limit of " + options.writeQueueLimit() + " bytes; split it or raise TcpOptions.writeQueueLimit");
        }
        boolean inLoop = loop.inLoop();
        WriteQueue.Offer result = queue.offer(data, release, inLoop && !socketReleased ? sink : null);
        if (result == WriteQueue.Offer.REFUSED) {
            // The refusal made the queue unwritable: the writer must hear it, then hear "writable".
            if (inLoop) {
                notifyWritability();
            } else {
                scheduleFlush();
            }
            return false;
        }
        if (result == WriteQueue.Offer.WRITTEN && !inLoop) {
            releaseLater(data, release); // only an empty writeNoCopy buffer is WRITTEN off the loop
            return true;
        }
        if (inLoop) {
            IOException failure = takeWriteFailure();
            if (failure != null) {
                fail(failure);
            } else if (result == WriteQueue.Offer.WRITTEN) {
                if (release != null) {
                    released.add(new WriteQueue.Entry(data, release));
                    runReleases();
                }
            } else {
                flushLater();
                notifyWritability();
            }
            return true;
        }
        scheduleFlush();
        return true;
    }

    /** Releases an empty {@code writeNoCopy} buffer on the loop thread, as every release is. */
    private void releaseLater(ByteBuffer data, Consumer<? super ByteBuffer> release) {
        toLoopForWriter(() -> handler.release(this, release, data));
    }

    /** Hands a writer's task to the loop; a loop that refuses it has ended the connection for writers. */
    private void toLoopForWriter(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            loopGone();
            throw new OutputClosedException("Connection " + this + " cannot write: its loop '" + loop.name()
                    + "' is closed; open a new connection on a running loop");
        }
    }

    /**
     * Hands a flush to the loop, once per batch: while one is scheduled, later writers only
     * queue. The task also reports writability changes (see {@link #notifyWritability()}).
     */
    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            toLoopForWriter(flushTask);
        }
    }

    private void scheduledFlush() {
        flushScheduled.set(false);
        if (!socketReleased && !abortRequested.get()) {
            flush();
            notifyWritability();
        }
    }

    private void notifyWritability() {
        if (socketReleased) {
            return;
        }
        if (queue.takeWentUnwritable() && notifiedWritable) {
            writabilityChanged(false);
        }
        if (queue.isWritable() != notifiedWritable) {
            writabilityChanged(!notifiedWritable);
        }
    }

    private void writabilityChanged(boolean writable) {
        notifiedWritable = writable;
        handler.writability(this, writable);
    }

    @Override
    public final boolean isWritable() {
        return queue.isWritable();
    }

    @Override
    public final long queuedBytes() {
        return queue.bytes();
    }

    // ---- reading

    @Override
    public final void pauseReading() {
        readingWanted = false;
        onLoop(applyReadInterestTask);
    }

    @Override
    public final void resumeReading() {
        readingWanted = true;
        onLoop(applyReadInterestTask);
    }

    // ---- half-close and close

    @Override
    public final CompletionStage<Void> shutdownOutput() {
        if (shutdownRequested.get()) {
            return shutdownStage;
        }
        // Writes are refused before the flag is raised: see slippedIn().
        queue.refuseUnlessRefusing("Connection " + this
                + " cannot write after shutdownOutput(); open a new connection to send more");
        if (shutdownRequested.compareAndSet(false, true)) {
            later(() -> {
                if (ended) {
                    failPendingShutdown(); // asked after the end: nothing will send the FIN
                } else {
                    kick();
                }
            });
        }
        return shutdownStage;
    }

    @Override
    public final boolean isOutputShutdown() {
        return shutdownRequested.get() || closeRequested.get() || abortRequested.get() || ended;
    }

    @Override
    public final boolean isInputShutdown() {
        return inputEnded;
    }

    @Override
    public final CompletionStage<Void> close() {
        if (closeRequested.get()) {
            return closeStage;
        }
        queue.refuse(loopClosed ? loopClosedMessage()
                : "Connection " + this + " is closed (close() was called); open a new connection");
        if (closeRequested.compareAndSet(false, true)) {
            later(() -> {
                applyReadInterest();
                kick();
            });
        }
        return closeStage;
    }

    @Override
    public final CompletionStage<Void> abort() {
        if (abortRequested.get()) {
            return closeStage;
        }
        queue.refuse("Connection " + this + " was aborted; open a new connection");
        if (abortRequested.compareAndSet(false, true)) {
            later(this::abortOnLoop);
        }
        return closeStage;
    }

    private void abortOnLoop() {
        if (!socketReleased) {
            dropQueue();
            socketReleased = true;
            closeSocket(true);
        }
    }

    /** Sends what is queued; with nothing queued, goes straight to what waited for an empty queue. */
    private void kick() {
        if (socketReleased || abortRequested.get()) {
            return;
        }
        flush();
    }

    @Override
    public final boolean isClosed() {
        return closeRequested.get() || abortRequested.get() || ended;
    }

    /** Runs {@code task} as a task of its own on the loop; if the loop is gone, the connection is too. */
    private void later(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The loop is closing: its close hook closes this connection (or has), completing the
            // stage once the socket is released, and runs a close or abort asked meanwhile. Other
            // tasks refused before the hook ran, it runs too; after, they are moot.
            refusedBeforeHook.add(task);
            if (loopClosed) {
                refusedBeforeHook.remove(task);
            }
        }
    }

    /** Runs {@code task} on the loop thread, now if called there. */
    private void onLoop(Runnable task) {
        if (loop.inLoop()) {
            task.run();
        } else {
            later(task);
        }
    }

    /**
     * The loop refused a task: it has ended (its close hook closed the connection already) or is
     * closing and the caller is on another thread (the hook closes it); the connection turns
     * closed here at once, for the caller.
     */
    private void loopGone() {
        ended = true;
        queue.refuse(loopClosedMessage());
        failPendingShutdown();
        closeFuture.complete(null);
    }

    private String loopClosedMessage() {
        return "Connection " + this + " is closed: its loop '" + loop.name() + "' is closed; open a new connection on a"
                + " running loop";
    }

    // ---- addresses and the rest

    @Override
    public final InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public final InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public final EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "tcp[" + TcpChecks.format(local) + " -> " + TcpChecks.format(remote) + "]";
    }
}
