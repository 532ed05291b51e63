// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.completion.internal.BackendLoops;
import dev.loopwire.loop.completion.internal.Backends;
import dev.loopwire.loop.completion.internal.CompletionBackend;
import dev.loopwire.loop.completion.internal.LoopContext;
import dev.loopwire.loop.internal.CloseHooks;
import dev.loopwire.loop.internal.LoopErrors;
import dev.loopwire.loop.internal.TaskQueue;
import dev.loopwire.loop.internal.TimerQueue;
import dev.loopwire.loop.spi.CurrentLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An event loop on a native completion queue: one thread that submits operations to the
 * operating system and runs their completions, tasks and timers. On Linux the queue is an
 * io_uring instance; a Windows IOCP backend plugs into the same loop.
 *
 * <p>The loop offers {@link Timers} and the raw capability of its mechanism: {@link UringPort}
 * on io_uring, {@link IocpPort} on IOCP. It carries no transport of its own: UDP, TCP or any
 * other transport is written against those capabilities, outside this module (loopwire's UDP is
 * {@code UringUdpProvider} in {@code transport-udp}). Each loop turn runs the queued
 * tasks and the due timers, then hands every operation prepared during the turn to the kernel
 * in one system call and waits, without spinning, for a completion, a wake-up from
 * {@link #execute} or the next timer deadline; then it dispatches every completion that is
 * ready.
 *
 * <p><b>Lifecycle.</b> {@link #open()} or {@link #builder()} start the loop thread. {@link #close()}
 * is graceful, as {@link EventLoop} describes: {@link #execute} and {@link #schedule} called
 * from other threads throw {@link RejectedExecutionException}; on the loop thread the tasks
 * already submitted run, pending timers are cancelled, the {@linkplain #addCloseHook close hooks}
 * run, and the loop goes on turning while tasks or timers (submitted since, on the loop thread)
 * are left, and while registrations of the raw capability are open (their handlers have
 * heard {@code loopClosing}); then it cancels what is still registered (reaping the
 * completions), releases the native queue and its memory, and returns once the
 * thread has ended. All of it is bounded by a 10 s close timeout. A second close does nothing; a
 * close from a callback on the loop thread returns at once and the loop ends after the callback.
 *
 * <p><b>Errors.</b> A task, timer, close hook or listener that throws — {@link Error}s included —
 * goes to the exception handler (by default a {@link System.Logger} WARNING) and the loop goes
 * on. If the loop thread fails anyway (the exception handler throws, or the queue fails), the
 * loop closes itself: {@link #isClosed()} becomes {@code true}, {@code execute} rejects naming the
 * cause, the close hooks run, the registrations are closed, and an ERROR log counts the tasks dropped.
 *
 * <p><b>Concurrency.</b> {@link #execute}, {@link #schedule}, {@link #addCloseHook},
 * {@link #close()} and the {@link EventLoop} queries may be called from any thread; the raw
 * capabilities say which of their calls must be made on the loop thread. At
 * most {@link Builder#maxPendingTasks maxPendingTasks} tasks wait to run (by default
 * {@value TaskQueue#DEFAULT_MAX}, or {@code -Dloopwire.maxPendingTasks}); past that,
 * {@code execute} throws {@link RejectedExecutionException} and the loop stays usable.
 */
public final class CompletionLoop implements EventLoop, Timers {

    private static final System.Logger LOG = System.getLogger(CompletionLoop.class.getName());
    private static final AtomicInteger NUMBER = new AtomicInteger();
    private static final Set<Class<? extends Capability>> CAPABILITIES = Set.of(Timers.class);
    private static final Set<Class<? extends Capability>> URING_CAPABILITIES =
            Set.of(Timers.class, UringPort.class);
    private static final Set<Class<? extends Capability>> IOCP_CAPABILITIES =
            Set.of(Timers.class, IocpPort.class);
    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int TASKS_PER_TURN = 1024;

    static {
        // Tests elsewhere in the module (a loop on a simulated IOCP port) start loops on a backend
        // of their choice through this, without a public door on this class.
        BackendLoops.install((builder, backend) -> builder.start(backend));
    }

    private final String name;
    private final CompletionBackend backend;
    private final Thread thread;
    private final TaskQueue tasks;
    private final BooleanSupplier refuses = this::refuses;
    private final BooleanSupplier failed = () -> this.failure != null;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final TimerQueue timers = new TimerQueue();
    private final CloseHooks hooks = new CloseHooks();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Context context = new Context();
    // One instance: a method reference made per turn would allocate on the hot path.
    private final Consumer<Throwable> onFailure = this::report;
    private final UringPort uringPort;
    private final IocpPort iocpPort;
    private volatile boolean closing;
    // Set once the loop takes no more tasks from any thread: its last drain, or a failure.
    private volatile boolean stopped;
    private volatile Throwable failure;
    private volatile Consumer<? super Throwable> exceptionHandler;

    private CompletionLoop(CompletionBackend backend, Builder b) {
        this.backend = backend;
        this.name = b.name != null ? b.name
                : "completion-" + NUMBER.incrementAndGet();
        this.exceptionHandler = b.exceptionHandler;
        this.tasks = new TaskQueue(name, b.maxPendingTasks != 0 ? b.maxPendingTasks : TaskQueue.defaultMax(),
                "CompletionLoop.builder().maxPendingTasks(n)");
        this.thread = Objects.requireNonNull(b.threadFactory.newThread(this::run), "the ThreadFactory returned null");
        thread.setName(name);
        backend.attach(context);
        this.uringPort = backend.uringPort();
        this.iocpPort = backend.iocpPort();
    }

    /**
     * Opens a loop on this platform's completion queue, on a non-daemon thread.
     *
     * @return the running loop; close it when done; never {@code null}
     * @throws IllegalStateException if no completion queue is available here (the message says
     *     why), or if the system refuses to set one up
     */
    public static CompletionLoop open() {
        return builder().open();
    }

    /**
     * Opens a loop on this platform's completion queue.
     *
     * @param threads makes the loop's thread (the loop names it after itself)
     * @return the running loop; close it when done; never {@code null}
     * @throws IllegalStateException if no completion queue is available here (the message says
     *     why), or if the system refuses to set one up
     */
    public static CompletionLoop open(ThreadFactory threads) {
        return builder().threadFactory(threads).open();
    }

    /**
     * A builder for a loop with a custom name, exception handler, thread factory or task bound.
     *
     * @return a new builder with every setting at its default; never {@code null}
     */
    public static Builder builder() {
        return new Builder();
    }

    static CompletionLoop start(CompletionBackend backend, ThreadFactory threads) {
        return builder().threadFactory(threads).start(backend);
    }

    /**
     * Replaces the handler for what tasks, timers and listeners throw.
     *
     * @param handler the handler, or {@code null} for the default (a {@link System.Logger}
     *     WARNING)
     * @return this loop
     * @deprecated Set the handler with {@link Builder#exceptionHandler}, as on every loop.
     */
    @Deprecated(forRemoval = true)
    public CompletionLoop exceptionHandler(Consumer<? super Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return uringPort != null ? URING_CAPABILITIES : iocpPort != null ? IOCP_CAPABILITIES : CAPABILITIES;
    }

    @Override
    public <C extends Capability> Optional<C> capability(Class<C> type) {
        Objects.requireNonNull(type, "type");
        if (type == UringPort.class) {
            return uringPort != null ? Optional.of(type.cast(uringPort)) : Optional.empty();
        }
        if (type == IocpPort.class) {
            return iocpPort != null ? Optional.of(type.cast(iocpPort)) : Optional.empty();
        }
        return CAPABILITIES.contains(type) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public boolean isClosed() {
        return closing;
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
        if (!inLoop() && wakePending.compareAndSet(false, true)) {
            backend.wakeup();
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
        return stopped || (closing && !inLoop());
    }

    private RejectedExecutionException rejected() {
        Throwable cause = failure;
        if (cause != null) {
            return new RejectedExecutionException(LoopErrors.rejectedAfterFailure(name, cause), cause);
        }
        return new RejectedExecutionException(LoopErrors.rejectedAfterClose(name));
    }

    @Override
    public Timeout schedule(Duration delay, Runnable task) {
        if (refuses()) {
            throw rejected();
        }
        return timers.schedule(delay, task, inLoop() && !stopped, this);
    }

    @Override
    public void close() {
        if (!closing) {
            closing = true;
            backend.wakeup();
        }
        if (!inLoop()) {
            boolean interrupted = false;
            while (true) {
                try {
                    terminated.await();
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for the loop thread to end after {@link #close()}.
     *
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}; never {@code null}
     * @return {@code true} if the thread has ended, {@code false} if the timeout passed first
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    private void run() {
        CurrentLoop.enter(this);
        try {
            while (!closing && failure == null) {
                turn();
            }
            if (failure == null) {
                closeGracefully();
            }
        } catch (IOException | RuntimeException | Error e) {
            // The queue failed, or the loop's own code: close visibly.
            if (failure == null) {
                failure = e;
            }
        }
        try {
            if (failure != null) {
                closeAfterFailure(failure);
            }
        } finally {
            try {
                backend.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Loop '" + name + "' could not release its completion queue", e);
            }
            CurrentLoop.exit();
            terminated.countDown();
        }
    }

    private void turn() throws IOException {
        wakePending.set(false);
        runTasks();
        timers.runDue(System.nanoTime(), onFailure);
        if (failure != null) {
            return;
        }
        backend.await(tasks.isEmpty() ? timers.nanosUntilNext(System.nanoTime()) : 0);
    }

    /** The graceful close, on the loop thread: see the class comment. */
    private void closeGracefully() throws IOException {
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        // Tasks submitted before close() run before the hooks: what a user handed over first
        // (a send, say) reaches the endpoint before it learns that the loop is closing.
        while (!tasks.isEmpty() && failure == null && System.nanoTime() - deadline < 0) {
            runTasks();
        }
        timers.cancelAll();
        hooks.runAll(this::report);
        backend.loopClosing(); // raw registrations hear it before anything is released
        closingTurns(deadline, false);
        closingTurns(deadline, true);
        if (failure != null) {
            return;
        }
        if (System.nanoTime() - deadline >= 0) {
            LOG.log(System.Logger.Level.WARNING, "Loop ''{0}'': {1} socket(s) still had {2} operation(s) in flight "
                    + "after 10 s of closing; releasing the queue anyway", name, backend.sockets(), backend.inflight());
        }
        stopped = true;
        // Tasks that got in before stopped was set still run: nothing accepted is dropped.
        while (!tasks.isEmpty() && failure == null) {
            runTasks();
        }
        timers.cancelAll();
    }

    /**
     * Turns while the hooks' work (tasks, timers) is left, and the sockets too if asked, until
     * the deadline. Each wait is short: nothing from another thread wakes a closing loop.
     */
    private void closingTurns(long deadline, boolean untilSocketsClosed) throws IOException {
        long step = TimeUnit.MILLISECONDS.toNanos(100);
        while (failure == null && System.nanoTime() - deadline < 0) {
            wakePending.set(false);
            runTasks();
            timers.runDue(System.nanoTime(), onFailure);
            boolean work = !tasks.isEmpty() || timers.size() > 0;
            if (failure != null || (!work && !(untilSocketsClosed && backend.sockets() > 0))) {
                return;
            }
            long wait = !tasks.isEmpty() ? 0 : timers.nanosUntilNext(System.nanoTime());
            backend.await(wait < 0 ? step : Math.min(wait, step));
        }
    }

    /** The loop thread failed: reject, run the hooks, close the sockets, drop and count what waits. */
    private void closeAfterFailure(Throwable cause) {
        closing = true;
        stopped = true;
        int dropped = tasks.dropAll();
        timers.cancelAll();
        try {
            hooks.runAll(this::reportAfterFailure);
            backend.loopClosing();
            if (!(cause instanceof IOException)) {
                // The queue still works: reap the closing sockets, so no memory is freed under the kernel.
                long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
                while (backend.sockets() > 0 && System.nanoTime() - deadline < 0) {
                    backend.await(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            cause.addSuppressed(e);
        }
        LOG.log(System.Logger.Level.ERROR, LoopErrors.loopFailed(name, dropped), cause);
    }

    private void runTasks() {
        tasks.run(TASKS_PER_TURN, onFailure, failed);
    }

    /**
     * Hands a throwable to the exception handler. If the handler throws, the loop thread has
     * failed: the failure is recorded (not thrown, so that it never unwinds through the
     * backend's completion dispatch) and the loop closes itself at the end of the step.
     */
    private void report(Throwable error) {
        Consumer<? super Throwable> handler = exceptionHandler;
        if (handler == null) {
            LOG.log(System.Logger.Level.WARNING, LoopErrors.callbackThrew(name), error);
            return;
        }
        try {
            handler.accept(error);
        } catch (Throwable t) {
            t.addSuppressed(error);
            if (failure == null) {
                failure = t;
            }
            closing = true;
            stopped = true;
        }
    }

    /** As {@link #report}, once the loop is ending anyway: a throwing handler is only logged. */
    private void reportAfterFailure(Throwable error) {
        Consumer<? super Throwable> handler = exceptionHandler;
        if (handler == null) {
            LOG.log(System.Logger.Level.WARNING, LoopErrors.callbackThrew(name), error);
            return;
        }
        try {
            handler.accept(error);
        } catch (Throwable t) {
            t.addSuppressed(error);
            LOG.log(System.Logger.Level.ERROR, "The exception handler of loop '" + name + "' threw", t);
        }
    }

    @Override
    public String toString() {
        return name + "[" + backend.name() + " sockets=" + backend.sockets() + " inflight=" + backend.inflight() + " timers="
                + timers.size() + " pending=" + tasks.size()
                + (failure != null ? " failed" : closing ? " closed" : "") + "]";
    }

    /** The loop as seen by its sockets. */
    private final class Context implements LoopContext {
        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean inLoop() {
            return CompletionLoop.this.inLoop();
        }

        @Override
        public void handle(Throwable error) {
            if (stopped && failure != null) {
                reportAfterFailure(error);
            } else {
                report(error);
            }
        }
    }

    /**
     * Configures and opens a {@link CompletionLoop}, as {@code SelectorLoop.builder()} does a
     * selector loop.
     *
     * <p>Not thread-safe; a builder may open several loops.
     */
    public static final class Builder {
        private String name;
        private Consumer<? super Throwable> exceptionHandler;
        private ThreadFactory threadFactory = Thread::new;
        private int maxPendingTasks;

        private Builder() {
        }

        /**
         * The loop's name, also its thread's name. By default {@code completion-N}, numbered
         * per JVM ({@link CompletionLoop#toString()} shows the backend). A custom name should be unique in the JVM; the loop
         * does not check.
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
         * Receives what tasks, timers, close hooks and listeners throw, on the loop thread. By
         * default a {@link System.Logger} warning. If the handler itself throws, the loop closes.
         *
         * @param handler the handler; never {@code null}; if it throws, the loop closes itself (see
         *     {@link dev.loopwire.loop.EventLoop})
         * @return this builder, for chaining
         */
        public Builder exceptionHandler(Consumer<? super Throwable> handler) {
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
         * How many tasks may wait to run at most; past that, {@link CompletionLoop#execute} throws
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
         * Opens the loop on this platform's completion queue and starts its thread.
         *
         * @return the running loop; close it when done; never {@code null}
         * @throws IllegalStateException if no completion queue is available here (the message
         *     says why), or if the system refuses to set one up
         * @throws IllegalArgumentException if {@code -Dloopwire.maxPendingTasks} is not a whole
         *     number of at least 1 and no bound was set here
         */
        public CompletionLoop open() {
            if (maxPendingTasks == 0) {
                TaskQueue.defaultMax(); // a bad property fails before a queue is set up
            }
            CompletionBackend backend;
            try {
                backend = Backends.open();
            } catch (IOException e) {
                throw new IllegalStateException("Could not set up a completion queue: " + e.getMessage(), e);
            }
            return start(backend);
        }

        CompletionLoop start(CompletionBackend backend) {
            try {
                CompletionLoop loop = new CompletionLoop(backend, this);
                loop.thread.start();
                return loop;
            } catch (RuntimeException | Error e) {
                backend.close(); // no loop thread will ever release it
                throw e;
            }
        }
    }
}
