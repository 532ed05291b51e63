package dev.loopwire.loop.iocp;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.iocp.internal.Backends;
import dev.loopwire.loop.iocp.internal.CompletionBackend;
import dev.loopwire.loop.iocp.internal.LoopContext;
import dev.loopwire.loop.iocp.internal.LoopDatagram;
import dev.loopwire.loop.internal.TimerQueue;
import dev.loopwire.loop.spi.CurrentLoop;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An event loop on a native completion queue: one thread that submits socket operations to the
 * operating system and runs their completions, tasks and timers. On Linux the queue is an
 * io_uring instance; a Windows IOCP backend plugs into the same loop.
 *
 * <p>The loop offers {@link CompletionPort} and {@link Timers} (and, on io_uring, the raw
 * {@link UringPort}). Each loop turn runs the queued
 * tasks and the due timers, then hands every operation prepared during the turn to the kernel
 * in one system call and waits, without spinning, for a completion, a wake-up from
 * {@link #execute} or the next timer deadline; then it dispatches every completion that is
 * ready.
 *
 * <p><b>Lifecycle.</b> {@link #open()} starts the loop thread. {@link #close()} stops accepting
 * tasks and timers ({@link RejectedExecutionException}), runs the tasks already submitted,
 * cancels the pending timers, closes every socket (cancelling its operations in flight and
 * reaping their completions), releases the native queue and its memory, and returns once the
 * thread has ended. A second close does nothing; a close from a callback on the loop thread
 * returns at once and the loop ends after the callback.
 *
 * <p><b>Errors.</b> A task, timer or listener that throws goes to the
 * {@linkplain #exceptionHandler(Consumer) exception handler} (by default a {@link System.Logger}
 * WARNING) and the loop goes on.
 *
 * <p><b>Concurrency.</b> {@link #execute}, {@link #schedule}, {@link #close()} and the
 * {@link EventLoop} queries may be called from any thread; {@link #openDatagram} and every
 * method of the sockets it returns only from the loop thread.
 */
public final class CompletionLoop implements EventLoop, CompletionPort, Timers {

    private static final System.Logger LOG = System.getLogger(CompletionLoop.class.getName());
    private static final Map<String, AtomicInteger> NUMBERS = new ConcurrentHashMap<>();
    private static final Set<Class<? extends Capability>> CAPABILITIES = Set.of(CompletionPort.class, Timers.class);
    private static final Set<Class<? extends Capability>> URING_CAPABILITIES =
            Set.of(CompletionPort.class, Timers.class, UringPort.class);
    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int TASKS_PER_TURN = 1024;

    private final String name;
    private final CompletionBackend backend;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final TimerQueue timers = new TimerQueue();
    private final Set<LoopDatagram> datagrams = new LinkedHashSet<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Context context = new Context();
    private final Consumer<Throwable> onTimerFailure = this::timerFailed;
    private final Consumer<LoopDatagram> onDatagramClosed = datagrams::remove;
    private final UringPort uringPort;
    private volatile boolean closing;
    private volatile Consumer<? super Throwable> exceptionHandler;

    CompletionLoop(CompletionBackend backend, ThreadFactory threads) {
        this.backend = backend;
        this.name = backend.name() + "-" + NUMBERS.computeIfAbsent(backend.name(), n -> new AtomicInteger()).incrementAndGet();
        this.thread = Objects.requireNonNull(threads.newThread(this::run), "the ThreadFactory returned null");
        thread.setName(name);
        backend.attach(context);
        this.uringPort = backend.uringPort();
    }

    /** Opens a loop on this platform's completion queue, on a non-daemon thread. */
    public static CompletionLoop open() {
        return open(Thread::new);
    }

    /**
     * Opens a loop on this platform's completion queue.
     *
     * @param threads makes the loop's thread (the loop names it after itself)
     * @throws IllegalStateException if no completion queue is available here (the message says
     *     why), or if the system refuses to set one up
     */
    public static CompletionLoop open(ThreadFactory threads) {
        Objects.requireNonNull(threads, "threads");
        CompletionBackend backend;
        try {
            backend = Backends.open();
        } catch (IOException e) {
            throw new IllegalStateException("Could not set up a completion queue: " + e.getMessage(), e);
        }
        return start(backend, threads);
    }

    static CompletionLoop start(CompletionBackend backend, ThreadFactory threads) {
        try {
            CompletionLoop loop = new CompletionLoop(backend, threads);
            loop.thread.start();
            return loop;
        } catch (RuntimeException | Error e) {
            backend.close(); // no loop thread will ever release it
            throw e;
        }
    }

    /**
     * Replaces the handler for what tasks, timers and listeners throw.
     *
     * @param handler the handler, or {@code null} for the default (a {@link System.Logger}
     *     WARNING)
     * @return this loop
     */
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
        return uringPort != null ? URING_CAPABILITIES : CAPABILITIES;
    }

    @Override
    public <C extends Capability> Optional<C> capability(Class<C> type) {
        Objects.requireNonNull(type, "type");
        if (type == UringPort.class) {
            return uringPort != null ? Optional.of(type.cast(uringPort)) : Optional.empty();
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

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (closing) {
            throw rejected();
        }
        tasks.add(task);
        if (closing && tasks.remove(task)) { // raced with close: the loop may already be gone
            throw rejected();
        }
        if (!inLoop() && wakePending.compareAndSet(false, true)) {
            backend.wakeup();
        }
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("Event loop '" + name + "' is closed; open a new loop");
    }

    @Override
    public Timeout schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        if (closing) {
            throw rejected();
        }
        long nanos = delay.isNegative() ? 0 : delay.compareTo(Duration.ofDays(365 * 100)) > 0
                ? TimeUnit.DAYS.toNanos(365 * 100) : delay.toNanos();
        TimerQueue.Entry timeout = timers.newEntry(System.nanoTime() + nanos, task);
        try {
            if (inLoop()) {
                timers.add(timeout);
            } else {
                execute(() -> timers.add(timeout));
            }
        } catch (RejectedExecutionException e) {
            timeout.cancel();
            throw e;
        }
        return timeout;
    }

    @Override
    public Datagram openDatagram(ProtocolFamily family, DatagramListener listener) throws IOException {
        if (!inLoop()) {
            throw new IllegalStateException("openDatagram must be called on the thread of loop '" + name
                    + "'; hand it over with loop.execute(...)");
        }
        if (closing) {
            throw new IllegalStateException("Event loop '" + name + "' is closed; open a new loop");
        }
        LoopDatagram datagram = LoopDatagram.open(context, backend, family, listener, onDatagramClosed);
        datagrams.add(datagram);
        return datagram;
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
     * @return whether it ended within the timeout
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    private void run() {
        CurrentLoop.enter(this);
        long closeDeadline = 0;
        try {
            while (true) {
                wakePending.set(false);
                runTasks();
                timers.runDue(System.nanoTime(), onTimerFailure);
                long timeout = tasks.isEmpty() ? timers.nanosUntilNext(System.nanoTime()) : 0;
                if (closing) {
                    if (closeDeadline == 0) {
                        closeDeadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
                        timers.cancelAll();
                        for (LoopDatagram datagram : new ArrayList<>(datagrams)) {
                            datagram.close();
                        }
                        backend.loopClosing(); // raw registrations hear it before anything is released
                    }
                    if (tasks.isEmpty() && backend.sockets() == 0) {
                        break;
                    }
                    if (System.nanoTime() - closeDeadline > 0) {
                        LOG.log(System.Logger.Level.WARNING, "{0}: {1} socket(s) still had {2} operation(s) in flight "
                                + "after 10 s of closing; releasing the queue anyway", name, backend.sockets(),
                                backend.inflight());
                        break;
                    }
                    timeout = tasks.isEmpty() ? TimeUnit.MILLISECONDS.toNanos(100) : 0;
                }
                backend.await(timeout);
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, name + " failed and is closing", e);
            closing = true;
        } finally {
            try {
                backend.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, name + " could not release its completion queue", e);
            }
            CurrentLoop.exit();
            terminated.countDown();
        }
    }

    private void runTasks() {
        for (int i = 0; i < TASKS_PER_TURN; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (Throwable t) {
                context.handle(t);
            }
        }
    }

    private void timerFailed(Throwable t) {
        context.handle(t);
    }

    @Override
    public String toString() {
        return name + "[sockets=" + backend.sockets() + " inflight=" + backend.inflight() + " timers="
                + timers.size() + " pending=" + tasks.size() + (closing ? " closed" : "") + "]";
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
            Consumer<? super Throwable> handler = exceptionHandler;
            if (handler != null) {
                try {
                    handler.accept(error);
                    return;
                } catch (Throwable t) {
                    error.addSuppressed(t);
                }
            }
            LOG.log(System.Logger.Level.WARNING, "A callback on " + name + " threw", error);
        }
    }
}
