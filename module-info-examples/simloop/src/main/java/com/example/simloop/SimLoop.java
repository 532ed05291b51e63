// SPDX-License-Identifier: Apache-2.0
package com.example.simloop;

import com.example.simloop.internal.SimNetwork;
import com.example.simloop.internal.SimPort;
import com.example.simloop.internal.SimUdpBinder;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.loop.spi.CurrentLoop;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A deterministic event loop: one thread, a virtual clock that moves only when
 * {@link #advance} is called, and an in-memory network of datagram sockets.
 *
 * <p>Everything the loop runs — submitted tasks, timers, datagram deliveries — is one agenda
 * ordered by virtual time, then by the order it was added; a delivery takes no virtual time. So
 * the same program produces the same events in the same order on every run. Time never moves by
 * itself, which also means the loop never spins: with nothing due, its thread sleeps until a task
 * or an {@code advance} arrives.
 *
 * <p>It offers {@link Timers}, and carries its own implementation of {@link Udp#BIND} (datagram
 * sockets on the in-memory network, internal to this module), which wins over every provider ({@code Transports.explain} shows it as the
 * loop's own).
 *
 * <p><b>Lifecycle.</b> Open with {@link #open()} (a new network) or {@link #openSharing} (the
 * network of another loop). {@link #close()} keeps {@link EventLoop}'s contract in virtual time:
 * it runs what is due now, drops timers still in the future, runs the
 * {@linkplain #addCloseHook close hooks} in order, then runs what the hooks scheduled, moving the
 * clock forward by at most 10 virtual seconds (the close timeout), and closes the loop's
 * sockets. Loops sharing a network keep separate clocks: a datagram to another loop arrives at
 * that loop's current virtual time.
 *
 * <p><b>Errors.</b> Whatever a task, timer or hook throws ({@code Error}s included) goes to the
 * loop's exception handler ({@link Builder#exceptionHandler}; by default it is logged at WARNING)
 * and the loop goes on. If the loop thread fails anyway, the loop closes itself: it
 * rejects tasks, runs the hooks, closes its sockets and logs the failure at ERROR.
 *
 * <p><b>Bounded.</b> At most {@code maxPendingTasks} tasks handed over from other threads (by
 * default {@value #DEFAULT_MAX_PENDING_TASKS}, as on loopwire's loops) may wait to run; past that
 * {@link #execute} refuses with a {@link RejectedExecutionException} naming the bound, and the
 * loop goes on. Tasks submitted on the loop thread itself are not counted. Set another bound with
 * {@link Builder#maxPendingTasks}.
 *
 * <p><b>Concurrency.</b> The {@link EventLoop} methods, {@link #advance} and {@link #now()} may be
 * called from any thread.
 */
public final class SimLoop implements EventLoop {

    private static final System.Logger LOG = System.getLogger(SimLoop.class.getName());
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Runnable STOP = () -> { };
    private static final long CLOSE_TIMEOUT_NANOS = Duration.ofSeconds(10).toNanos();

    /** The bound on waiting tasks when none is given: the default of loopwire's own loops. */
    public static final int DEFAULT_MAX_PENDING_TASKS = 1 << 20;

    private record Event(long at, long seq, Runnable task, AtomicBoolean cancelled) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }

    private final String name = "simulated-" + IDS.incrementAndGet();
    private final SimNetwork network;
    private final SimPort port;
    private final SimUdpBinder udp;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final int maxPendingTasks;
    private final Consumer<Throwable> exceptionHandler;
    // Tasks accepted by execute that have not started: counted apart, as the agenda also holds timers.
    private final AtomicInteger pending = new AtomicInteger();
    private final PriorityQueue<Event> agenda = new PriorityQueue<>();
    private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();
    private final Thread thread;
    private final Timers timers = this::schedule;
    private final Map<Object, Runnable> hooks = new LinkedHashMap<>(); // guarded by itself
    private boolean hooksRan; // guarded by hooks
    private volatile boolean closed;
    // No task is taken any more, from any thread: the loop has ended.
    private volatile boolean ended;
    private volatile long now;
    private long horizon;
    private long seq;

    private SimLoop(Builder b) {
        this.network = b.sharing != null ? b.sharing.network : new SimNetwork();
        this.maxPendingTasks = b.maxPendingTasks;
        this.exceptionHandler = b.exceptionHandler != null ? b.exceptionHandler : this::log;
        this.port = new SimPort(this, network);
        this.udp = new SimUdpBinder(this, network);
        this.thread = b.threads.newThread(this::run);
        thread.setName(name);
        thread.start();
    }

    /** Opens a loop on a new, empty network. */
    public static SimLoop open() {
        return builder().open();
    }

    /** Opens a loop on a new network with its thread made by {@code threads}. */
    public static SimLoop open(ThreadFactory threads) {
        return builder().threads(threads).open();
    }

    /** Opens a loop on the network of {@code other}, so their sockets can reach each other. */
    public static SimLoop openSharing(SimLoop other) {
        return builder().sharing(other).open();
    }

    /** A builder for a loop with other settings than {@link #open()}'s. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The settings of a new {@link SimLoop}: its thread factory, its network, its task bound and
     * its exception handler. Not thread-safe; each {@link #open()} opens a new loop.
     */
    public static final class Builder {
        private ThreadFactory threads = Thread::new;
        private SimLoop sharing;
        private int maxPendingTasks = DEFAULT_MAX_PENDING_TASKS;
        private Consumer<Throwable> exceptionHandler;

        private Builder() {
        }

        /** Makes the loop's thread with {@code threads} (default {@code Thread::new}). */
        public Builder threads(ThreadFactory threads) {
            this.threads = Objects.requireNonNull(threads, "threads");
            return this;
        }

        /** Puts the loop on the network of {@code other} (default: a new, empty network). */
        public Builder sharing(SimLoop other) {
            this.sharing = Objects.requireNonNull(other, "other");
            return this;
        }

        /**
         * Refuses tasks from other threads once {@code max} wait to run (default
         * {@value SimLoop#DEFAULT_MAX_PENDING_TASKS}).
         *
         * @throws IllegalArgumentException if {@code max} is less than 1
         */
        public Builder maxPendingTasks(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingTasks '" + max + "' must be at least 1; give a bound"
                        + " from 1 to " + Integer.MAX_VALUE + " (default " + DEFAULT_MAX_PENDING_TASKS + ")");
            }
            this.maxPendingTasks = max;
            return this;
        }

        /**
         * Receives, on the loop thread, whatever a task, timer or close hook throws (default: log
         * it at WARNING). If the handler itself throws, the loop closes itself, as the errors
         * policy says.
         */
        public Builder exceptionHandler(Consumer<Throwable> handler) {
            this.exceptionHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Opens the loop; its thread starts at once. */
        public SimLoop open() {
            return new SimLoop(this);
        }
    }

    /**
     * Moves this loop's virtual clock forward by {@code delay}, running every timer and delivery
     * due on the way, in order.
     *
     * @return completes when the clock has reached the new time and nothing more is due
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws RejectedExecutionException if the loop is closed
     */
    public CompletableFuture<Void> advance(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("Cannot advance virtual time by '" + delay
                    + "'; time only moves forward");
        }
        long nanos = delay.toNanos();
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> {
            horizon = Math.max(horizon, now) + nanos;
            idleWaiters.add(done);
        });
        return done;
    }

    /** The virtual time since the loop opened. */
    public Duration now() {
        return Duration.ofNanos(now);
    }

    /** Datagrams the network dropped so far: no socket bound at the target, or not receiving. */
    public long dropped() {
        return network.dropped();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(Timers.class);
    }

    @Override
    public <C extends Capability> Optional<C> capability(Class<C> type) {
        if (type == Timers.class) {
            return Optional.of(type.cast(timers));
        }
        return Optional.empty();
    }

    /** The loop's own UDP: datagram sockets on the in-memory network. */
    @Override
    public <T> Optional<T> implementation(TransportKey<T> key) {
        if (key.name().equals(Udp.BIND.name()) && key.type() == UdpBinder.class) {
            return Optional.of(key.type().cast(udp));
        }
        return Optional.empty();
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (refuses()) {
            throw new RejectedExecutionException("Loop '" + name + "' is closed");
        }
        if (inLoop()) {
            // The loop's own follow-up work (a flush, a delivery, what a hook starts) is never
            // refused: the bound holds back floods from other threads, which is what fills a heap.
            inbox.add(task);
            return;
        }
        if (pending.incrementAndGet() > maxPendingTasks) {
            pending.decrementAndGet();
            throw new RejectedExecutionException("Loop '" + name + "' already has " + maxPendingTasks
                    + " tasks waiting to run, its bound (maxPendingTasks); submit fewer tasks at once (let the"
                    + " loop catch up), or raise it with SimLoop.builder().maxPendingTasks(n)");
        }
        Runnable counted = () -> {
            pending.decrementAndGet();
            task.run();
        };
        inbox.add(counted);
        // close() may have drained the inbox for the last time between the check above and the
        // add: take the task back and refuse it, rather than accept it and never run it.
        if (ended && inbox.remove(counted)) {
            pending.decrementAndGet();
            throw new RejectedExecutionException("Loop '" + name + "' is closed");
        }
    }

    /** While the loop closes only its own thread may still hand work over, as {@link EventLoop} says. */
    private boolean refuses() {
        return ended || (closed && !inLoop());
    }

    @Override
    public CloseHook addCloseHook(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        if (refuses()) {
            throw new RejectedExecutionException("Loop '" + name + "' is closed");
        }
        Object key = new Object();
        synchronized (hooks) {
            if (!hooksRan) {
                hooks.put(key, hook);
                return () -> {
                    synchronized (hooks) {
                        return hooks.remove(key) != null;
                    }
                };
            }
        }
        // The hooks already ran: run this one like a task, soon, on the loop thread.
        AtomicBoolean done = new AtomicBoolean();
        execute(() -> {
            if (done.compareAndSet(false, true)) {
                runSafely(hook);
            }
        });
        return () -> done.compareAndSet(false, true);
    }

    private void runHooks() {
        while (true) {
            Runnable next;
            synchronized (hooks) {
                var it = hooks.values().iterator();
                if (!it.hasNext()) {
                    hooksRan = true;
                    return;
                }
                next = it.next();
                it.remove();
            }
            runSafely(next);
        }
    }

    private Timers.Timeout schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        if (refuses()) {
            throw new RejectedExecutionException("Loop '" + name + "' is closed");
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        long nanos = Math.max(0, delay.toNanos());
        if (inLoop()) {
            agenda.add(new Event(now + nanos, seq++, task, cancelled));
        } else {
            execute(() -> agenda.add(new Event(now + nanos, seq++, task, cancelled)));
        }
        return new Timers.Timeout() {
            @Override
            public boolean cancel() {
                return cancelled.compareAndSet(false, true);
            }

            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }
        };
    }

    private void run() {
        CurrentLoop.enter(this);
        try {
            while (true) {
                Runnable task = inbox.poll();
                if (task == STOP) {
                    break;
                }
                if (task != null) {
                    agenda.add(new Event(now, seq++, task, new AtomicBoolean()));
                    continue;
                }
                Event next = agenda.peek();
                if (next != null && next.at() <= Math.max(now, horizon)) {
                    agenda.poll();
                    now = Math.max(now, next.at());
                    if (!next.cancelled().getAndSet(true)) {
                        runSafely(next.task());
                    }
                    continue;
                }
                now = Math.max(now, horizon);
                idleWaiters.forEach(w -> w.complete(null));
                idleWaiters.clear();
                task = inbox.take();
                if (task == STOP) {
                    break;
                }
                agenda.add(new Event(now, seq++, task, new AtomicBoolean()));
            }
            finish();
        } catch (Throwable t) {
            // The loop itself failed: close visibly rather than look alive.
            closed = true;
            ended = true;
            int dropped = inbox.size() + agenda.size();
            inbox.clear();
            agenda.clear();
            runHooks();
            port.closeAll();
            idleWaiters.forEach(w -> w.completeExceptionally(t));
            LOG.log(System.Logger.Level.ERROR, "Loop '" + name + "' failed and closed itself; " + dropped
                    + " task(s) waiting to run were dropped", t);
        } finally {
            ended = true;
            CurrentLoop.exit();
        }
    }

    /**
     * Runs what is due now and was submitted before close, drops the timers in the future, runs
     * the hooks and what they scheduled (within the close timeout, in virtual time), then
     * releases the sockets.
     */
    private void finish() {
        runDueUntil(now);
        agenda.clear();
        runHooks();
        runDueUntil(now + CLOSE_TIMEOUT_NANOS);
        ended = true;
        runDueUntil(now); // tasks that got in before ended was set: nothing accepted is dropped
        agenda.clear();
        port.closeAll();
        idleWaiters.forEach(w -> w.completeExceptionally(new RejectedExecutionException("Loop '" + name + "' closed")));
    }

    /** Runs every task and event due up to {@code until}, moving the clock as it goes. */
    private void runDueUntil(long until) {
        while (true) {
            for (Runnable task; (task = inbox.poll()) != null; ) {
                if (task != STOP) {
                    agenda.add(new Event(now, seq++, task, new AtomicBoolean()));
                }
            }
            Event e = agenda.peek();
            if (e == null || e.at() > until) {
                return;
            }
            agenda.poll();
            now = Math.max(now, e.at());
            if (!e.cancelled().getAndSet(true)) {
                runSafely(e.task());
            }
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            // Errors included: a StackOverflowError in user code must not end the loop. What the
            // handler itself throws ends it, visibly (see run()).
            exceptionHandler.accept(e);
        }
    }

    private void log(Throwable e) {
        LOG.log(System.Logger.Level.WARNING, "A callback on loop '" + name + "' threw; the loop goes on", e);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (!closed) {
                closed = true;
                inbox.add(STOP);
            }
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

    @Override
    public String toString() {
        return name + "[t=" + Duration.ofNanos(now).toMillis() + "ms sockets=" + port.open() + " timers="
                + agenda.size() + " pending=" + inbox.size() + (closed ? " closed" : "") + "]";
    }
}
