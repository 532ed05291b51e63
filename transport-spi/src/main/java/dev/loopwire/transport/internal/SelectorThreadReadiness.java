// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link FdReadiness} for a loop that has none: a selector on a helper thread watches the
 * channels; each readiness event disarms the key, runs the handler on the loop, and re-arms.
 * Disarming makes the level-triggered selector behave one-shot, so an event is never reported
 * twice while the loop is still handling it.
 *
 * <p><b>Lifecycle.</b> The helper thread starts on the first registration, which also adds a
 * {@linkplain EventLoop#addCloseHook close hook} to the loop. When the loop closes, the hook
 * stops the helper thread and the loop thread takes the selector over: it keeps delivering
 * readiness while a registration still wants to write or connect (so endpoints can flush), then
 * closes every channel still registered and the selector, all before the loop's {@code close()}
 * returns.
 *
 * <p><b>Concurrency.</b> Every method is loop-thread only, as {@link FdReadiness} requires. The
 * selector's selected-key set is touched by the helper thread until the hook has joined it, by
 * the loop thread after. {@link Registration#cancel()} waits for the helper thread to select once
 * more, so that the channel is deregistered (and closing it frees its socket) when it returns.
 */
final class SelectorThreadReadiness implements FdReadiness {

    private static final System.Logger LOG = System.getLogger(SelectorThreadReadiness.class.getName());
    private static final long HANDSHAKE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int OUTPUT = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;

    private final EventLoop loop;
    private final Object lock = new Object();
    private Selector selector;
    private Thread helper;
    // Set by the close hook on the loop thread: from then on the loop thread owns the selector.
    private boolean closing;
    private volatile boolean stop;
    // Deregistration handshake: cancel() asks (requested), the helper answers (acked). Guarded by lock.
    private long requested;
    private long acked;

    SelectorThreadReadiness(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public Registration register(SelectableChannel channel, int interestOps, ReadyHandler handler) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        if ((interestOps & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Interest " + interestOps + " is not valid for " + channel
                    + " (valid: " + channel.validOps() + ")");
        }
        Reg reg = new Reg(handler, interestOps);
        try {
            // Disarmed while closing: the loop thread's polling arms it on its next turn.
            reg.key = channel.register(selector(), interestOps, reg);
        } catch (ClosedSelectorException e) {
            throw new IOException("Loop '" + loop.name() + "' has closed; register the channel with a running loop", e);
        }
        selector.wakeup();
        return reg;
    }

    private Selector selector() throws IOException {
        if (selector == null) {
            if (loop.isClosed()) {
                throw new IOException("Loop '" + loop.name() + "' is closing; register the channel with a running loop");
            }
            selector = Selector.open();
            loop.addCloseHook(this::loopClosing);
            helper = new Thread(this::run, "loopwire-" + loop.name() + "-readiness");
            helper.setDaemon(true);
            helper.start();
        }
        return selector;
    }

    /** The helper thread: select, hand each event to the loop, answer deregistration requests. */
    private void run() {
        Selector s = selector;
        try {
            while (!stop) {
                s.select();
                long request;
                synchronized (lock) {
                    request = requested;
                }
                if (request != acked) {
                    s.selectNow(); // deregisters every key cancelled before the request
                }
                for (SelectionKey key : s.selectedKeys()) {
                    handOver(key);
                }
                s.selectedKeys().clear();
                if (request != acked) {
                    synchronized (lock) {
                        acked = request;
                        lock.notifyAll();
                    }
                }
            }
        } catch (ClosedSelectorException e) {
            // Closed by the loop thread: nothing left to watch.
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "Readiness thread of loop '" + loop.name() + "' failed; its channels"
                    + " get no more readiness events", e);
        } finally {
            synchronized (lock) {
                acked = Long.MAX_VALUE; // nobody waits for a thread that has ended
                lock.notifyAll();
            }
        }
    }

    private void handOver(SelectionKey key) {
        try {
            if (key.isValid()) {
                int ready = key.readyOps();
                key.interestOps(0);
                Reg reg = (Reg) key.attachment();
                loop.execute(() -> reg.dispatch(ready));
            }
        } catch (CancelledKeyException e) {
            // Cancelled meanwhile by the loop thread.
        } catch (RejectedExecutionException e) {
            // The loop is closing: its hook re-arms every key and polls from the loop thread.
        }
    }

    /** The close hook, on the loop thread: take the selector over from the helper thread. */
    private void loopClosing() {
        closing = true;
        stop = true;
        selector.wakeup();
        try {
            helper.join(TimeUnit.NANOSECONDS.toMillis(HANDSHAKE_TIMEOUT_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (helper.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "Readiness thread of loop '" + loop.name() + "' did not stop within 10 s;"
                    + " closing its channels anyway");
            closeAll();
            return;
        }
        // As a task, so that it runs after every other close hook: endpoints flush first.
        submitClosingTurn(false);
    }

    private void submitClosingTurn(boolean later) {
        try {
            Timers timers = later ? loop.capability(Timers.class).orElse(null) : null;
            if (timers != null) {
                timers.schedule(Duration.ofMillis(1), this::closingTurn);
            } else {
                loop.execute(this::closingTurn);
            }
        } catch (RejectedExecutionException e) {
            closeAll(); // the loop's close timeout has passed
        }
    }

    /**
     * One poll of the selector on the loop thread while the loop closes: deliver what is ready,
     * go on while a registration still wants output, else close what is left.
     */
    private void closingTurn() {
        if (!selector.isOpen()) {
            return;
        }
        boolean output = false;
        List<SelectionKey> ready = new ArrayList<>();
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.isValid() && key.attachment() instanceof Reg reg) {
                    key.interestOps(reg.interest); // events the helper disarmed may have been refused
                    output |= (reg.interest & OUTPUT) != 0;
                }
            }
            if (output) {
                selector.selectNow();
                ready.addAll(selector.selectedKeys());
                selector.selectedKeys().clear();
            }
        } catch (IOException | CancelledKeyException e) {
            LOG.log(System.Logger.Level.DEBUG, "Polling the readiness selector of a closing loop", e);
        }
        if (!output) {
            closeAll();
            return;
        }
        for (SelectionKey key : ready) {
            if (key.isValid()) {
                int ops = key.readyOps();
                Reg reg = (Reg) key.attachment();
                try {
                    loop.execute(() -> reg.dispatch(ops));
                } catch (RejectedExecutionException e) {
                    closeAll();
                    return;
                }
            }
        }
        submitClosingTurn(true);
    }

    /** Closes every channel still registered, then the selector; loop thread (or after the helper ended). */
    private void closeAll() {
        try {
            for (SelectionKey key : selector.keys()) {
                try {
                    key.channel().close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "Closing a channel of a closing loop", e);
                }
            }
            selector.close(); // deregisters every key, which completes the channels' close
        } catch (IOException | ClosedSelectorException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing the readiness selector", e);
        }
    }

    /** Makes sure every key cancelled so far is deregistered; loop thread. */
    private void deregisterCancelled() {
        if (closing) {
            try {
                if (selector.isOpen()) {
                    // The loop thread owns the selector now; ready keys it finds wait for the next poll.
                    selector.selectNow();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        long deadline = System.nanoTime() + HANDSHAKE_TIMEOUT_NANOS;
        synchronized (lock) {
            long request = ++requested;
            selector.wakeup();
            boolean interrupted = false;
            while (acked < request && System.nanoTime() - deadline < 0) {
                try {
                    lock.wait(10);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (acked < request) {
                LOG.log(System.Logger.Level.WARNING, "Readiness thread of loop '" + loop.name() + "' did not answer"
                        + " within 10 s; a cancelled channel may keep its socket until the loop closes");
            }
        }
    }

    private void checkLoopThread() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("FdReadiness of loop '" + loop.name()
                    + "' must be used on the loop thread; hand work over with execute()");
        }
    }

    /** One registration; its fields are touched on the loop thread only. */
    private final class Reg implements Registration {
        private final ReadyHandler handler;
        private int interest;
        private SelectionKey key;
        private boolean cancelled;

        Reg(ReadyHandler handler, int interest) {
            this.handler = handler;
            this.interest = interest;
        }

        void dispatch(int ready) {
            if (!isValid()) {
                return;
            }
            try {
                int wanted = ready & interest;
                if (wanted != 0) {
                    handler.ready(this, wanted);
                }
            } finally {
                rearm();
            }
        }

        private void rearm() {
            if (isValid() && interest != 0 && !closing) {
                try {
                    key.interestOps(interest);
                } catch (CancelledKeyException e) {
                    return;
                }
                selector.wakeup();
            }
        }

        @Override
        public SelectableChannel channel() {
            return key.channel();
        }

        @Override
        public int interestOps() {
            return interest;
        }

        @Override
        public void interestOps(int ops) {
            checkLoopThread();
            if ((ops & ~key.channel().validOps()) != 0) {
                throw new IllegalArgumentException("Interest " + ops + " is not valid for " + key.channel());
            }
            interest = ops;
            if (isValid() && !closing) {
                try {
                    key.interestOps(ops);
                } catch (CancelledKeyException e) {
                    throw new UncheckedIOException(new IOException("channel closed", e));
                }
                selector.wakeup();
            }
        }

        @Override
        public boolean isValid() {
            return !cancelled && key.isValid();
        }

        @Override
        public void cancel() {
            checkLoopThread();
            if (!cancelled) {
                cancelled = true;
                key.cancel();
                deregisterCancelled();
            }
        }

        @Override
        public String toString() {
            return "Registration[" + key.channel() + (isValid() ? " ops=" + interest : " cancelled") + "]";
        }
    }
}
