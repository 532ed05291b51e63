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
 * <p><b>Errors.</b> Whatever a task, timer or hook throws ({@code Error}s included) is logged at
 * WARNING and the loop goes on. If the loop thread fails anyway, the loop closes itself: it
 * rejects tasks, runs the hooks, closes its sockets and logs the failure at ERROR.
 *
 * <p><b>Concurrency.</b> The {@link EventLoop} methods, {@link #advance} and {@link #now()} may be
 * called from any thread.
 */
public final class SimLoop implements EventLoop {

    private static final System.Logger LOG = System.getLogger(SimLoop.class.getName());
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Runnable STOP = () -> { };
    private static final long CLOSE_TIMEOUT_NANOS = Duration.ofSeconds(10).toNanos();

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

    private SimLoop(SimNetwork network, ThreadFactory threads) {
        this.network = network;
        this.port = new SimPort(this, network);
        this.udp = new SimUdpBinder(this, port);
        this.thread = threads.newThread(this::run);
        thread.setName(name);
        thread.start();
    }

    /** Opens a loop on a new, empty network. */
    public static SimLoop open() {
        return open(Thread::new);
    }

    /** Opens a loop on a new network with its thread made by {@code threads}. */
    public static SimLoop open(ThreadFactory threads) {
        return new SimLoop(new SimNetwork(), Objects.requireNonNull(threads, "threads"));
    }

    /** Opens a loop on the network of {@code other}, so their sockets can reach each other. */
    public static SimLoop openSharing(SimLoop other) {
        return new SimLoop(other.network, Thread::new);
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
        inbox.add(task);
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
            // Errors included: a StackOverflowError in user code must not end the loop.
            LOG.log(System.Logger.Level.WARNING, "A callback on loop '" + name + "' threw; the loop goes on", e);
        }
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
