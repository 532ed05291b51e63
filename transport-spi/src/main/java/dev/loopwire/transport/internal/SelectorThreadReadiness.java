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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 * the loop thread after. {@link Registration#cancel()} cancels the key and hands the
 * registration to the helper thread without waiting: the helper selects once more, which
 * deregisters the key, and hands the batch back to the loop, which completes the stages. Once the
 * loop closes, its thread owns the selector and completes the stages itself. A hand-over (an
 * event or a batch) that the loop's bounded task queue refuses while the loop is not closing is
 * kept and retried every millisecond until taken: the key of a refused event stays disarmed
 * meanwhile, so neither the event nor a stage is lost. Registering a channel again right after
 * cancelling it (before the helper has deregistered the old key, which the JDK requires) is the
 * one call that waits for the helper thread: one select, on the helper, then the registration.
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
    // Cancelled on the loop thread, not yet deregistered by the helper. Guarded by lock.
    private final List<Reg> cancelling = new ArrayList<>();
    // Deregistered by the helper, not yet completed because the closing loop refused the
    // hand-over; its close hook completes them. Guarded by lock.
    private final List<Reg> deregistered = new ArrayList<>();
    // Hand-overs the loop's full task queue refused while it was not closing, retried every
    // RETRY_MILLIS until taken. Helper thread only.
    private final List<Runnable> refusedEvents = new ArrayList<>();
    private final List<List<Reg>> refusedBatches = new ArrayList<>();
    private static final long RETRY_MILLIS = 1;
    // Registrations of a channel whose previous key, cancelled, still waits for the helper's next
    // select to deregister it (the JDK refuses to register it again until then): the helper
    // registers them right after that select. Guarded by lock.
    private final List<PendingRegistration> registering = new ArrayList<>();

    /** A registration the loop thread waits for the helper thread to make. */
    private record PendingRegistration(SelectableChannel channel, int interest, Reg reg,
            CompletableFuture<SelectionKey> key) {
    }

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
        } catch (CancelledKeyException e) {
            // Cancelled (by its owner, just now) and not yet deregistered.
            reg.key = registerAfterDeregistration(channel, interestOps, reg);
        }
        selector.wakeup();
        return reg;
    }

    /**
     * Registers a channel whose cancelled key still waits to be deregistered: the loop thread
     * does it itself once it owns the selector; before, only the helper thread may select, so
     * the loop thread hands the registration over and waits for that one select (the helper
     * never waits for the loop thread, so this cannot deadlock).
     */
    private SelectionKey registerAfterDeregistration(SelectableChannel channel, int interestOps, Reg reg)
            throws IOException {
        if (closing) {
            try {
                selector.selectNow(); // ready keys it finds wait for the next poll
                return channel.register(selector, interestOps, reg);
            } catch (ClosedSelectorException e) {
                throw new IOException("Loop '" + loop.name() + "' has closed; register the channel with a running loop",
                        e);
            }
        }
        PendingRegistration pending = new PendingRegistration(channel, interestOps, reg, new CompletableFuture<>());
        synchronized (lock) {
            registering.add(pending);
        }
        selector.wakeup();
        if (!helper.isAlive()) {
            pending.key().completeExceptionally(new IOException("its readiness thread has failed"));
        }
        try {
            return pending.key().get(HANDSHAKE_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IOException("Cannot register " + channel + " again with loop '" + loop.name() + "': "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            pending.key().completeExceptionally(e); // the helper then leaves it, or cancels what it made
            throw new IOException("Cannot register " + channel + " again with loop '" + loop.name() + "': its"
                    + " readiness thread did not deregister the cancelled key within 10 s", e);
        }
    }

    /** Makes the registrations the loop thread waits for; helper thread, after a select. */
    private static void registerPending(Selector s, List<PendingRegistration> pending) {
        for (PendingRegistration p : pending) {
            if (p.key().isDone()) {
                continue; // the loop thread gave up waiting
            }
            try {
                SelectionKey key = p.channel().register(s, p.interest(), p.reg());
                if (!p.key().complete(key)) {
                    key.cancel();
                }
            } catch (IOException | RuntimeException e) {
                p.key().completeExceptionally(e);
            }
        }
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

    /** The helper thread: select, hand each event to the loop, hand deregistered cancellations back. */
    private void run() {
        Selector s = selector;
        try {
            while (!stop) {
                // A hand-over the loop's full task queue refused is retried soon, not at the next event.
                if (refusedEvents.isEmpty() && refusedBatches.isEmpty()) {
                    s.select();
                } else {
                    s.select(RETRY_MILLIS);
                }
                List<Reg> batch = null;
                List<PendingRegistration> toRegister = null;
                synchronized (lock) {
                    if (!cancelling.isEmpty()) {
                        batch = new ArrayList<>(cancelling);
                        cancelling.clear();
                    }
                    if (!registering.isEmpty()) {
                        toRegister = new ArrayList<>(registering);
                        registering.clear();
                    }
                }
                if (batch != null || toRegister != null) {
                    s.selectNow(); // deregisters every key cancelled before the batch was taken
                }
                if (toRegister != null) {
                    registerPending(s, toRegister);
                }
                retryRefused();
                for (SelectionKey key : s.selectedKeys()) {
                    handOver(key);
                }
                s.selectedKeys().clear();
                if (batch != null) {
                    handBack(batch);
                }
            }
        } catch (ClosedSelectorException e) {
            // Closed by the loop thread: nothing left to watch.
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "Readiness thread of loop '" + loop.name() + "' failed; its channels"
                    + " get no more readiness events, and cancelled ones are released when the loop closes", e);
        } finally {
            // Batches still refused: the loop's close hook completes them once it has joined this thread.
            synchronized (lock) {
                refusedBatches.forEach(deregistered::addAll);
                registering.forEach(p -> p.key().completeExceptionally(new IOException("its readiness thread has ended")));
                registering.clear();
            }
            refusedBatches.clear();
            refusedEvents.clear();
        }
    }

    /** Hands over again what the loop's full task queue refused, in the order it was refused. */
    private void retryRefused() {
        if (!refusedEvents.isEmpty()) {
            List<Runnable> events = new ArrayList<>(refusedEvents);
            refusedEvents.clear();
            for (int i = 0; i < events.size(); i++) {
                if (!submit(events.get(i))) {
                    // Still full: keep the rest, in order. Closing: its hook re-arms every key and polls.
                    if (!loop.isClosed()) {
                        refusedEvents.addAll(events.subList(i, events.size()));
                    }
                    break;
                }
            }
        }
        if (!refusedBatches.isEmpty()) {
            List<List<Reg>> batches = new ArrayList<>(refusedBatches);
            refusedBatches.clear();
            batches.forEach(this::handBack);
        }
    }

    /** Runs {@code task} on the loop; false if refused (its queue full, or the loop closing). */
    private boolean submit(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Completes, on the loop thread, the stages of registrations the helper has deregistered. */
    private void handBack(List<Reg> batch) {
        if (submit(() -> batch.forEach(Reg::released))) {
            return;
        }
        if (loop.isClosed()) {
            synchronized (lock) {
                deregistered.addAll(batch); // the loop is closing: its hook completes them
            }
        } else {
            refusedBatches.add(batch); // the task queue is full for now: retried
        }
    }

    /** Completes every stage still pending; loop thread, once it owns the selector. */
    private void releasePending() {
        List<Reg> pending;
        synchronized (lock) {
            pending = new ArrayList<>(deregistered);
            pending.addAll(cancelling);
            deregistered.clear();
            cancelling.clear();
        }
        pending.forEach(Reg::released);
    }

    private void handOver(SelectionKey key) {
        try {
            if (key.isValid()) {
                int ready = key.readyOps();
                key.interestOps(0);
                Reg reg = (Reg) key.attachment();
                Runnable event = () -> reg.dispatch(ready);
                if (!submit(event) && !loop.isClosed()) {
                    // The task queue is full for now: the key stays disarmed and the event is
                    // retried, else the channel would never be reported again.
                    refusedEvents.add(event);
                }
                // Refused by a closing loop: its hook re-arms every key and polls from the loop thread.
            }
        } catch (CancelledKeyException e) {
            // Cancelled meanwhile by the loop thread.
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
        try {
            selector.selectNow(); // deregisters what was cancelled; ready keys wait for the first poll
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Polling the readiness selector of a closing loop", e);
        }
        releasePending();
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
        releasePending();
    }

    /** Deregisters a cancelled registration: at once once the loop owns the selector, else by the helper. */
    private void deregister(Reg reg) {
        if (closing) {
            try {
                if (selector.isOpen()) {
                    // The loop thread owns the selector now; ready keys it finds wait for the next poll.
                    selector.selectNow();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            reg.released();
            return;
        }
        synchronized (lock) {
            cancelling.add(reg);
        }
        selector.wakeup();
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
        // Made by the first cancel(); completed on the loop thread once the key is deregistered.
        private CompletableFuture<Void> released;
        private CompletionStage<Void> releasedStage;

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
        public CompletionStage<Void> cancel() {
            checkLoopThread();
            if (!cancelled) {
                cancelled = true;
                released = new CompletableFuture<>();
                releasedStage = released.minimalCompletionStage();
                key.cancel();
                deregister(this);
            }
            return releasedStage;
        }

        void released() {
            released.complete(null);
        }

        @Override
        public String toString() {
            return "Registration[" + key.channel() + (isValid() ? " ops=" + interest : " cancelled") + "]";
        }
    }
}
