// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The {@link FdReadiness} facet of a selector loop: registrations are the loop's
 * {@link SelectionKey}s, with the {@link Registration} as attachment.
 *
 * <p><b>Lifecycle.</b> {@link Registration#cancel()} cancels the key and queues the
 * registration; the loop calls {@link #beforeSelect()} and {@link #afterSelect()} around each
 * select, which deregisters every key cancelled before it started, and then completes the
 * stages of that batch (one select for every cancellation of a turn, never one per cancel: the
 * JDK refuses a select inside a select, and a select per cancel costs a system call each).
 * While cancellations wait, {@link #cancelsPending()} tells the loop not to block in its next
 * select. {@link #closed()} completes whatever is left once the selector is closed.
 *
 * <p><b>Concurrency.</b> Loop thread only, as {@link FdReadiness} requires; every method checks.
 */
public final class SelectorReadiness implements FdReadiness {

    private final EventLoop loop;
    private final Selector selector;
    // Written on the loop thread, read by toString() from any thread.
    private volatile int registered;
    // Cancelled, waiting for a select to deregister them; in the order cancel() was called.
    private final ArrayList<SelectorRegistration> cancelling = new ArrayList<>();
    // The batch being completed: taken out of cancelling first, since completing runs user code
    // that may cancel more.
    private final ArrayList<SelectorRegistration> deregistered = new ArrayList<>();
    // How many of cancelling were queued before the select now under way.
    private int selecting;
    private boolean selectorClosed;

    public SelectorReadiness(EventLoop loop, Selector selector) {
        this.loop = loop;
        this.selector = selector;
    }

    @Override
    public Registration register(SelectableChannel channel, int interestOps, ReadyHandler handler) throws IOException {
        checkInLoop("register");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(handler, "handler");
        if (selectorClosed) {
            // Only a dependant of a cancel stage the closed loop completes can still get here.
            throw new IOException("Loop '" + loop.name() + "' has closed; register " + channel
                    + " with a running loop");
        }
        SelectionKey existing = channel.keyFor(selector);
        if (existing != null && existing.isValid()) {
            // SelectableChannel.register would silently replace the first handler.
            throw new IllegalStateException("Channel " + channel + " is already registered with loop '"
                    + loop.name() + "'; change the interest of its registration or cancel it first");
        }
        SelectorRegistration registration = new SelectorRegistration(channel, handler);
        try {
            registration.key = register(channel, interestOps, registration);
        } catch (IllegalBlockingModeException e) {
            throw new IOException("Channel " + channel + " is in blocking mode; call configureBlocking(false) before"
                    + " registering it with loop '" + loop.name() + "'", e);
        }
        registered++;
        return registration;
    }

    private SelectionKey register(SelectableChannel channel, int ops, SelectorRegistration attachment)
            throws IOException {
        try {
            return channel.register(selector, ops, attachment);
        } catch (CancelledKeyException e) {
            // Cancelled earlier in this turn and not yet deregistered: a selectNow flushes the
            // cancelled-key set. The loop dispatches outside its select, so this is no select
            // inside a select. What it finds ready is dropped: the selector is level-triggered,
            // the next select reports it again.
            selector.selectNow(IGNORE);
            return channel.register(selector, ops, attachment);
        }
    }

    private static final Consumer<SelectionKey> IGNORE = key -> { };

    /** Runs the handler of a selected key. */
    public static void dispatch(SelectionKey key) {
        if (key.isValid() && key.attachment() instanceof SelectorRegistration r) {
            int ready;
            try {
                ready = key.readyOps();
            } catch (CancelledKeyException e) {
                return;
            }
            r.handler.ready(r, ready);
        }
    }

    /** Channels registered and not cancelled. */
    public int registered() {
        return registered;
    }

    /**
     * Whether a registration still wants to write or connect: I/O in progress that a closing
     * loop waits for.
     */
    public boolean outputInProgress() {
        for (SelectionKey key : selector.keys()) {
            try {
                if (key.isValid() && (key.interestOps() & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
                    return true;
                }
            } catch (CancelledKeyException e) {
                // cancelled meanwhile: not in progress
            }
        }
        return false;
    }

    /** Whether cancelled keys wait for a select to deregister them: the next select must not block. */
    public boolean cancelsPending() {
        return !cancelling.isEmpty();
    }

    /** The loop is about to select: that select deregisters every key cancelled so far. */
    public void beforeSelect() {
        selecting = cancelling.size();
    }

    /**
     * The loop has selected: recounts, and completes the stages of the cancellations queued
     * before that select. What a stage's dependants throw completes their own stages
     * exceptionally (as {@link CompletableFuture} does); {@code onFailure} gets only what escapes
     * {@code complete} anyway.
     */
    public void afterSelect(Consumer<Throwable> onFailure) {
        registered = selector.keys().size();
        int batch = selecting;
        selecting = 0;
        if (batch == 0) {
            return;
        }
        for (int i = 0; i < batch; i++) {
            deregistered.add(cancelling.get(i));
        }
        cancelling.subList(0, batch).clear();
        completeDeregistered(onFailure);
    }

    /** Completes every pending stage once the loop has closed the selector (which deregisters all). */
    public void closed(Consumer<Throwable> onFailure) {
        registered = 0;
        selectorClosed = true;
        selecting = 0;
        deregistered.addAll(cancelling);
        cancelling.clear();
        completeDeregistered(onFailure);
    }

    private void completeDeregistered(Consumer<Throwable> onFailure) {
        int i = 0;
        try {
            for (; i < deregistered.size(); i++) {
                complete(deregistered.get(i), onFailure);
            }
        } finally {
            // onFailure threw (the loop thread has failed): the rest still complete.
            for (i++; i < deregistered.size(); i++) {
                complete(deregistered.get(i), t -> { });
            }
            deregistered.clear();
        }
    }

    private static void complete(SelectorRegistration registration, Consumer<Throwable> onFailure) {
        try {
            registration.released.complete(null);
        } catch (Throwable t) {
            // CompletableFuture keeps what dependants throw; this is for what escapes anyway.
            onFailure.accept(t);
        }
    }

    void checkInLoop(String method) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("FdReadiness." + method + " must be called on the thread of loop '"
                    + loop.name() + "', not on '" + Thread.currentThread().getName()
                    + "'; hand the call over with loop.execute(...)");
        }
    }

    private final class SelectorRegistration implements Registration {
        private final SelectableChannel channel;
        private final ReadyHandler handler;
        private SelectionKey key;
        // Made by the first cancel(); completed once a select has deregistered the key.
        private CompletableFuture<Void> released;
        private CompletionStage<Void> releasedStage;

        SelectorRegistration(SelectableChannel channel, ReadyHandler handler) {
            this.channel = channel;
            this.handler = handler;
        }

        @Override
        public SelectableChannel channel() {
            return channel;
        }

        @Override
        public int interestOps() {
            checkInLoop("Registration.interestOps");
            return isValid() ? key.interestOps() : 0;
        }

        @Override
        public void interestOps(int ops) {
            checkInLoop("Registration.interestOps");
            if (!isValid()) {
                throw new IllegalStateException("Registration of " + channel + " on loop '" + loop.name()
                        + "' is no longer valid (cancelled, channel closed or loop closed); register the channel again");
            }
            key.interestOps(ops);
        }

        @Override
        public boolean isValid() {
            return released == null && key.isValid();
        }

        @Override
        public CompletionStage<Void> cancel() {
            checkInLoop("Registration.cancel");
            if (released == null) {
                released = new CompletableFuture<>();
                releasedStage = released.minimalCompletionStage();
                if (key.isValid()) {
                    key.cancel();
                    registered--;
                }
                if (selectorClosed) {
                    // The loop has closed its selector, which deregistered every key.
                    released.complete(null);
                } else {
                    // Even when the key was already invalid (the channel was closed first): the
                    // JDK releases that socket only at the next select too.
                    cancelling.add(this);
                }
            }
            return releasedStage;
        }

        @Override
        public String toString() {
            return "Registration[" + channel + (isValid() ? " ops=" + key.interestOps() : " cancelled") + "]";
        }
    }
}
