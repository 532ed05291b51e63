// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.selector.internal.SelectorReadiness;
import dev.loopwire.loop.internal.CloseHooks;
import dev.loopwire.loop.internal.LoopErrors;
import dev.loopwire.loop.internal.TaskQueue;
import dev.loopwire.loop.internal.TimerQueue;
import dev.loopwire.loop.spi.CurrentLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An event loop on one thread and one {@link Selector}, offering {@link FdReadiness} and
 * {@link Timers}.
 *
 * <p><b>Lifecycle.</b> {@link #open()} or {@link #builder()} start the loop thread at once.
 * {@link #close()} is graceful, as {@link EventLoop} describes: {@link #execute} and
 * {@link Timers#schedule} called from other threads start throwing
 * {@link RejectedExecutionException}; on the loop thread, tasks already submitted run, timers
 * not yet due are cancelled, the {@linkplain #addCloseHook close hooks} run, and the loop goes on
 * turning while tasks, timers scheduled since, registrations interested in
 * {@link SelectionKey#OP_WRITE} or {@link SelectionKey#OP_CONNECT}, or cancelled registrations
 * not yet deregistered are left, for at most 10 s;
 * then every channel still registered is closed, the selector is closed, and the call returns
 * once the loop thread has ended. A second close is a no-op; a close from a callback on the loop
 * thread returns at once and the loop ends after that callback.
 *
 * <p><b>Concurrency.</b> {@link #execute}, {@link Timers}, {@link #addCloseHook} and the methods
 * of {@link EventLoop} are thread-safe; tasks run in submission order. A burst of
 * {@code execute} calls from other threads wakes the selector once, not once per task. At most
 * {@link Builder#maxPendingTasks maxPendingTasks} tasks wait to run (by default
 * {@value TaskQueue#DEFAULT_MAX}, or {@code -Dloopwire.maxPendingTasks}); past that,
 * {@code execute} throws {@link RejectedExecutionException} and the loop stays usable.
 * {@link FdReadiness} is loop-thread only.
 *
 * <p><b>Errors.</b> A task, timer, close hook or readiness handler that throws — {@link Error}s
 * included — does not end the loop: the throwable goes to the loop's exception handler (by
 * default a {@link System.Logger} warning). If the loop thread fails anyway (the exception
 * handler throws, or the loop itself fails), the loop closes itself: {@link #isClosed()} becomes
 * {@code true}, {@code execute} rejects naming the cause, the close hooks run, the channels are
 * closed, and an ERROR log counts the tasks dropped.
 */
public final class SelectorLoop implements EventLoop {

    private static final System.Logger LOG = System.getLogger(SelectorLoop.class.getName());
    private static final AtomicInteger NUMBER = new AtomicInteger();
    private static final Set<Class<? extends Capability>> CAPABILITIES = Set.of(FdReadiness.class, Timers.class);
    // Tasks run per turn at most, so that a task that keeps resubmitting itself cannot starve I/O.
    private static final int MAX_TASKS_PER_TURN = 4096;
    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final Consumer<Throwable> exceptionHandler;
    private final Selector selector;
    private final Thread thread;
    private final SelectorReadiness readiness;
    private final TimerQueue timerQueue = new TimerQueue();
    private final LoopTimers timers = new LoopTimers();
    private final CloseHooks hooks = new CloseHooks();
    private final TaskQueue tasks;
    private final BooleanSupplier refuses = this::refuses;
    private final BooleanSupplier never = () -> false;
    // One instance: a method reference made per turn would allocate on the hot path.
    private final Consumer<Throwable> onFailure = this::report;
    // True while the loop is awake or a wake-up is already on its way: producers then skip the
    // wakeup() syscall, so a burst of tasks costs one wake-up.
    private final AtomicBoolean wakeupPending = new AtomicBoolean(true);
    private final AtomicInteger wakeups = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    // The keys of one select, collected by select(Consumer) and handled once it has returned: a
    // handler then runs outside the select, where it may register a channel again (which can
    // need a selectNow). Reused, so that a turn allocates nothing (selectedKeys() would cost a
    // set node per key and a copy per turn).
    private SelectionKey[] readyKeys = new SelectionKey[64];
    private int readyCount;
    private final Consumer<SelectionKey> collect = this::collect;
    // Set once the loop takes no more tasks from any thread: its last drain, or its end.
    private volatile boolean stopped;
    private volatile boolean terminated;
    private volatile Throwable failure;

    private SelectorLoop(Builder b) throws IOException {
        this.name = b.name != null ? b.name : "selector-" + NUMBER.incrementAndGet();
        this.exceptionHandler = b.exceptionHandler != null ? b.exceptionHandler : this::logFailure;
        this.tasks = new TaskQueue(name, b.maxPendingTasks != 0 ? b.maxPendingTasks : TaskQueue.defaultMax(),
                "SelectorLoop.builder().maxPendingTasks(n)");
        this.selector = Selector.open();
        this.readiness = new SelectorReadiness(this, selector);
        Thread t = b.threadFactory.newThread(this::run);
        if (t == null) {
            selector.close();
            throw new IllegalStateException("Thread factory " + b.threadFactory + " returned null for loop '" + name + "'");
        }
        t.setName(name);
        this.thread = t;
        t.start();
    }

    /**
     * Opens a loop with a generated name, the default exception handler and a non-daemon thread.
     *
     * @return the running loop; close it when done; never null
     */
    public static SelectorLoop open() {
        return builder().open();
    }

    /**
     * A builder for a loop with a custom name, exception handler, thread factory or task bound.
     *
     * @return a new builder with every setting at its default; never null
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public <C extends Capability> Optional<C> capability(Class<C> type) {
        Objects.requireNonNull(type, "type");
        if (type == FdReadiness.class) {
            return Optional.of(type.cast(readiness));
        }
        if (type == Timers.class) {
            return Optional.of(type.cast(timers));
        }
        return Optional.empty();
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Submits a task to run on the loop thread, after the tasks submitted before it.
     *
     * @throws RejectedExecutionException if the loop is closed (while it closes, only tasks
     *     submitted on the loop thread are taken), or if {@code maxPendingTasks} tasks are
     *     already waiting to run
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!tasks.offer(task, refuses)) {
            throw rejected();
        }
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            wakeups.incrementAndGet();
            selector.wakeup();
        }
    }

    @Override
    public CloseHook addCloseHook(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        if (refuses()) {
            throw rejected();
        }
        CloseHooks.Entry entry = hooks.add(hook);
        if (!entry.isKept()) {
            execute(() -> entry.run(this::report));
        }
        return entry;
    }

    private boolean refuses() {
        return stopped || (closed.get() && !inLoop());
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            selector.wakeup();
        }
        if (!inLoop()) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Shows the loop's state: {@code selector-1[channels=3 timers=1 pending=0]}. */
    @Override
    public String toString() {
        return name + "[channels=" + readiness.registered() + " timers=" + timerQueue.size() + " pending=" + tasks.size()
                + (terminated ? (failure != null ? " failed" : " closed") : closed.get() ? " closing" : "") + "]";
    }

    /** How many times another thread woke the selector; for tests of wake-up batching. */
    int wakeups() {
        return wakeups.get();
    }

    private RejectedExecutionException rejected() {
        Throwable cause = failure;
        if (cause != null) {
            return new RejectedExecutionException(LoopErrors.rejectedAfterFailure(name, cause), cause);
        }
        return new RejectedExecutionException(LoopErrors.rejectedAfterClose(name));
    }

    private void run() {
        CurrentLoop.enter(this);
        try {
            while (!closed.get()) {
                turn();
            }
            closing();
        } catch (Throwable t) {
            failed(t instanceof HandlerFailed f ? f.getCause() : t);
        } finally {
            terminated = true;
            CurrentLoop.exit();
        }
    }

    private void turn() {
        select();
        processReadyKeys();
        timerQueue.runDue(System.nanoTime(), onFailure);
        runTasks();
    }

    /** The graceful close, on the loop thread: see the class comment. */
    private void closing() {
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        // Tasks submitted before close() run before the hooks: what a user handed over first
        // (a send, say) reaches the endpoint before it learns that the loop is closing.
        while (!tasks.isEmpty() && System.nanoTime() - deadline < 0) {
            runTasks();
        }
        timerQueue.cancelAll();
        hooks.runAll(this::report);
        while ((!tasks.isEmpty() || timerQueue.size() > 0 || readiness.outputInProgress()
                || readiness.cancelsPending()) && System.nanoTime() - deadline < 0) {
            turn();
        }
        if (System.nanoTime() - deadline >= 0) {
            LOG.log(System.Logger.Level.WARNING, "Loop ''{0}'' still had work after 10 s of closing ({1} task(s), {2} timer(s),"
                    + " {3} channel(s)); closing anyway", name, tasks.size(), timerQueue.size(), readiness.registered());
        }
        stopped = true;
        // Tasks that got in before stopped was set still run: nothing accepted is dropped.
        while (!tasks.isEmpty()) {
            runTasks();
        }
        timerQueue.cancelAll();
        release();
    }

    /** The loop thread failed: close visibly, run the hooks, drop and count what waits. */
    private void failed(Throwable cause) {
        failure = cause;
        closed.set(true);
        stopped = true;
        int dropped = tasks.dropAll();
        timerQueue.cancelAll();
        try {
            hooks.runAll(this::reportAfterFailure);
        } catch (Throwable t) {
            cause.addSuppressed(t);
        }
        release();
        LOG.log(System.Logger.Level.ERROR, LoopErrors.loopFailed(name, dropped), cause);
    }

    private void select() {
        wakeupPending.set(false);
        readiness.beforeSelect();
        try {
            long wait = timerQueue.nanosUntilNext(System.nanoTime());
            // Cancelled keys wait for this select to deregister them (and their owners for it to
            // release their sockets): it must not block.
            if (!tasks.isEmpty() || wait == 0 || readiness.cancelsPending()
                    || (closed.get() && !readiness.outputInProgress())) {
                selector.selectNow(collect);
            } else if (wait < 0) {
                // While closing, the loop waits for output only; close() cannot wake it twice.
                selector.select(collect, closed.get() ? 100 : 0);
            } else {
                // Round up: waking a little late is fine, waking early means a wasted turn.
                selector.select(collect, Math.max(1, (wait + 999_999) / 1_000_000));
            }
        } catch (IOException e) {
            report(e);
        } finally {
            wakeupPending.set(true);
        }
        // A pending interrupt makes every select return at once: clear it, or the loop would spin.
        if (Thread.interrupted()) {
            LOG.log(System.Logger.Level.DEBUG, "Loop '" + name + "' cleared an interrupt of its thread");
        }
        readiness.afterSelect(onFailure);
    }

    private void collect(SelectionKey key) {
        if (readyCount == readyKeys.length) {
            readyKeys = Arrays.copyOf(readyKeys, readyCount * 2);
        }
        readyKeys[readyCount++] = key;
    }

    private void processReadyKeys() {
        int count = readyCount;
        if (count == 0) {
            return;
        }
        try {
            for (int i = 0; i < count; i++) {
                try {
                    SelectorReadiness.dispatch(readyKeys[i]);
                } catch (Throwable t) {
                    report(t);
                }
            }
        } finally {
            // No reference kept to a key whose channel may close: the array lives as long as the loop.
            Arrays.fill(readyKeys, 0, count, null);
            readyCount = 0;
        }
    }

    private void runTasks() {
        tasks.run(MAX_TASKS_PER_TURN, onFailure, never);
    }

    /** Closes every channel still registered, then the selector. */
    private void release() {
        try {
            for (SelectionKey key : selector.keys()) {
                key.cancel();
                try {
                    key.channel().close();
                } catch (IOException e) {
                    reportAfterFailure(e);
                }
            }
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            reportAfterFailure(e);
        }
        // Closing the selector deregistered every key: the cancellations still pending are done.
        readiness.closed(this::reportAfterFailure);
    }

    /** Hands a throwable to the exception handler; if that throws, the loop thread has failed. */
    private void report(Throwable t) {
        try {
            exceptionHandler.accept(t);
        } catch (Throwable again) {
            again.addSuppressed(t);
            throw new HandlerFailed(again);
        }
    }

    /** As {@link #report}, once the loop is ending anyway: a throwing handler is only logged. */
    private void reportAfterFailure(Throwable t) {
        try {
            exceptionHandler.accept(t);
        } catch (Throwable again) {
            again.addSuppressed(t);
            LOG.log(System.Logger.Level.ERROR, "The exception handler of loop '" + name + "' threw", again);
        }
    }

    private void logFailure(Throwable t) {
        LOG.log(System.Logger.Level.WARNING, LoopErrors.callbackThrew(name), t);
    }

    /** Carries what the exception handler threw out of the loop's turn. */
    private static final class HandlerFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerFailed(Throwable cause) {
            super(cause);
        }
    }

    private final class LoopTimers implements Timers {
        @Override
        public Timeout schedule(Duration delay, Runnable task) {
            if (refuses()) {
                throw rejected();
            }
            return timerQueue.schedule(delay, task, inLoop() && !stopped, SelectorLoop.this);
        }

        @Override
        public String toString() {
            return "Timers[" + name + "]";
        }
    }

    /**
     * Configures and opens a {@link SelectorLoop}.
     *
     * <p>Not thread-safe; a builder may open several loops.
     */
    public static final class Builder {
        private String name;
        private Consumer<Throwable> exceptionHandler;
        private ThreadFactory threadFactory = Thread::new;
        private int maxPendingTasks;

        private Builder() {
        }

        /**
         * How many tasks may wait to run at most; past that, {@link SelectorLoop#execute} throws
         * {@link RejectedExecutionException} until the loop has caught up. By default
         * {@code -Dloopwire.maxPendingTasks}, else {@value TaskQueue#DEFAULT_MAX}.
         *
         * @param max the bound, 1 to {@link Integer#MAX_VALUE}
         * @return this builder, for chaining
         * @throws IllegalArgumentException if {@code max} is less than 1
         */
        public Builder maxPendingTasks(int max) {
            this.maxPendingTasks = TaskQueue.check(max);
            return this;
        }

        /**
         * The loop's name, also its thread's name. By default {@code selector-N}, numbered per
         * JVM. A custom name should be unique in the JVM; the loop does not check.
         *
         * @param name the name; never {@code null} nor blank
         * @return this builder, for chaining
         * @throws IllegalArgumentException if {@code name} is blank (the message says so; the
         *     builder is unchanged)
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("Loop name '" + name + "' is blank; give a name or leave the default");
            }
            this.name = name;
            return this;
        }

        /**
         * Receives what tasks, timers and readiness handlers throw, on the loop thread. By
         * default a {@link System.Logger} warning.
         *
         * @param handler the handler; never {@code null}; if it throws, the loop closes itself (see
         *     {@link dev.loopwire.loop.EventLoop})
         * @return this builder, for chaining
         */
        public Builder exceptionHandler(Consumer<Throwable> handler) {
            this.exceptionHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Makes the loop's thread; the loop renames it after itself. Default: a non-daemon thread.
         *
         * @param threadFactory makes the one thread the loop runs on; never {@code null}, and must
         *     not return {@code null}
         * @return this builder, for chaining
         */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /**
         * Opens the loop and starts its thread.
         *
         * @return the running loop; never null
         * @throws UncheckedIOException if the selector cannot be opened
         * @throws IllegalArgumentException if {@code -Dloopwire.maxPendingTasks} is not a
         *     whole number of at least 1 and no bound was set here
         */
        public SelectorLoop open() {
            try {
                return new SelectorLoop(this);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open a selector: " + e.getMessage(), e);
            }
        }
    }
}
