// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Memory;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.completion.internal.CompletionBackend;
import dev.loopwire.loop.completion.internal.LoopContext;
import dev.loopwire.loop.completion.internal.NativeMemory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The io_uring {@link CompletionBackend}: one ring, an eventfd for wake-ups (kept read by an
 * {@code IORING_OP_READ}), and a table of {@link Op}s indexed by {@code user_data}.
 *
 * <p>SQEs are only claimed during a loop turn and handed to the kernel together in
 * {@link #await}, so a turn's sends, re-armed receives and cancels cost one
 * {@code io_uring_enter}; only a full submission ring forces an extra one.
 *
 * <p>Loop thread only, except {@link #wakeup()}, {@link #sockets()} and {@link #inflight()}.
 */
public final class UringBackend implements CompletionBackend {

    /** Default submission ring size. */
    public static final int ENTRIES = 256;

    private static final System.Logger LOG = System.getLogger(UringBackend.class.getName());
    /**
     * Backends closed while the kernel could still write memory they pin (the loop's close
     * timeout passed with operations in flight): kept reachable for the life of the JVM, so the
     * garbage collector never frees that memory (issue #10, item 14).
     */
    private static final List<UringBackend> LEAKED = new CopyOnWriteArrayList<>();

    private final Ring ring;
    private final Ring.CompletionSink dispatcher = this::dispatch;
    private final Memory scratch = NativeMemory.allocate(128);
    private final Object wakeLock = new Object();
    private final int eventFd;
    private final WakeOp wake = new WakeOp();
    private List<Runnable> deferred = new ArrayList<>();
    /** The other of two lists swapped each turn, so that running the deferred work copies nothing. */
    private List<Runnable> retrying = new ArrayList<>();
    private final BitSet bufferGroups = new BitSet();
    private Op[] ops = new Op[64];
    private int[] generations = new int[64];
    private int[] freeIds = new int[0];
    private int freeIdCount;
    private int nextId;
    private volatile int inflight;
    private boolean closed;
    private LoopContext context = new DetachedContext();
    private final LoopUringPort port;

    /** A ring of {@link #ENTRIES} entries. */
    public UringBackend() throws IOException {
        this(ENTRIES, ENTRIES * 8);
    }

    /**
     * @param entries submission ring size, a power of two
     * @param completionEntries completion ring size, a power of two
     */
    public UringBackend(int entries, int completionEntries) throws IOException {
        Ring r;
        try {
            r = Ring.open(entries, completionEntries);
        } catch (IOException | RuntimeException e) {
            wake.free();
            NativeMemory.free(scratch);
            throw e;
        }
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0) {
            int errno = LibC.errno();
            r.close();
            wake.free();
            NativeMemory.free(scratch);
            throw Errno.exception("eventfd", errno);
        }
        ring = r;
        eventFd = fd;
        Opcodes.probe(ring);
        register(wake);
        wake.arm();
        port = new LoopUringPort(this);
    }

    @Override
    public void attach(LoopContext loop) {
        this.context = loop;
    }

    LoopContext context() {
        return context;
    }

    @Override
    public UringPort uringPort() {
        return port;
    }

    LoopUringPort port() {
        return port;
    }

    @Override
    public void loopClosing() {
        port.loopClosing();
    }

    /** Whether {@code fd} is the loop's own (its ring or its wake-up eventfd); any thread. */
    boolean ownsFd(int fd) {
        return fd == ring.fd || fd == eventFd;
    }

    /** Claims a free provided-buffer group id, or -1. */
    int claimBufferGroup() {
        int group = bufferGroups.nextClearBit(0);
        if (group > 0xffff) {
            return -1;
        }
        bufferGroups.set(group);
        return group;
    }

    /** Gives back a group id claimed with {@link #claimBufferGroup()}. */
    void releaseBufferGroup(int group) {
        bufferGroups.clear(group);
    }

    /** Backends leaked on purpose by a forced close, in this JVM. */
    public static int leakedBackends() {
        return LEAKED.size();
    }

    @Override
    public String name() {
        return "io_uring";
    }

    Ring ring() {
        return ring;
    }

    Memory scratch() {
        return scratch;
    }

    /**
     * Gives {@code op} an id: a table index (reused once an op is unregistered) and that index's
     * next generation, so that a completion for the index's previous holder is recognised as
     * stale.
     */
    void register(Op op) {
        int index = freeIdCount > 0 ? freeIds[--freeIdCount] : nextId++;
        if (index >= ops.length) {
            ops = Arrays.copyOf(ops, ops.length * 2);
            generations = Arrays.copyOf(generations, ops.length);
        }
        int generation = (generations[index] + 1) & 0x7fffffff; // ids stay positive
        generations[index] = generation;
        ops[index] = op;
        op.id = (long) generation << 32 | index;
    }

    void unregister(Op op) {
        if (op.id < 0) {
            return;
        }
        int index = (int) op.id;
        ops[index] = null;
        if (freeIdCount == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, Math.max(16, freeIds.length * 2));
        }
        freeIds[freeIdCount++] = index;
        op.id = -1;
    }

    /** The op registered under {@code userData} now, or {@code null} if none or a stale id. */
    Op op(long userData) {
        int index = (int) userData;
        if (userData < 0 || index < 0 || index >= ops.length) {
            return null;
        }
        Op op = ops[index];
        return op != null && op.id == userData ? op : null;
    }

    /**
     * Claims an SQE, handing the pending ones to the kernel first if the ring is full.
     *
     * @return the SQE's offset, or -1 if the kernel takes none right now
     */
    int sqe() {
        int sqe = ring.nextSqe();
        if (sqe < 0) {
            ring.submit();
            sqe = ring.nextSqe();
        }
        return sqe;
    }

    /**
     * Like {@link #sqe()}, for operations that must happen but may wait a turn (cancels, the
     * wake-up read): when the kernel takes no entry now, {@code retry} runs at the start of the
     * next {@link #await}, after the completions that make room have been reaped.
     *
     * @return the SQE's offset, or -1 if {@code retry} was deferred
     */
    int sqeOrDefer(Runnable retry) {
        int sqe = sqe();
        if (sqe < 0) {
            deferred.add(retry);
        }
        return sqe;
    }

    void opStarted() {
        inflight++; // written by the loop thread only
    }

    void opEnded() {
        inflight--;
    }

    @Override
    public void await(long timeoutNanos) throws IOException {
        ring.enable();
        port.finishClosed();
        if (port.hasFinishPending()) {
            timeoutNanos = 0;
        }
        if (!deferred.isEmpty()) {
            List<Runnable> again = deferred;
            deferred = retrying; // what the retries defer again waits for the next turn
            retrying = again;
            try {
                for (int i = 0; i < again.size(); i++) {
                    again.get(i).run();
                }
            } finally {
                again.clear(); // never run twice, as when the list was copied and cleared first
            }
        }
        int result = timeoutNanos == 0 ? ring.submit() : ring.submitAndWait(timeoutNanos);
        if (result < 0 && result != -Errno.ETIME && result != -Errno.EINTR
                && result != -Errno.EBUSY && result != -Errno.EAGAIN) {
            throw Errno.exception("io_uring_enter", -result);
        }
        ring.reap(dispatcher);
        port.finishClosed();
    }

    /** Pending SQEs, for tests of the submission accounting. */
    int pendingSubmissions() {
        return ring.pending();
    }

    private void dispatch(long userData, int result, int flags) {
        Op op = op(userData);
        if (op == null) {
            LOG.log(System.Logger.Level.WARNING, "Completion for unknown or stale operation {0} (res {1}); ignored",
                    Long.toHexString(userData), result);
            return;
        }
        try {
            op.complete(result, flags);
        } catch (Throwable t) { // one failing completion never ends the loop (issue #10, item 14)
            context.handle(t);
        }
    }

    @Override
    public void wakeup() {
        synchronized (wakeLock) {
            if (!closed) {
                LibC.eventfd_write(eventFd, 1);
            }
        }
    }

    @Override
    public int sockets() {
        return port.liveRegistrations();
    }

    @Override
    public int inflight() {
        return inflight;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        ring.enable(); // a ring never driven is enabled by the thread that closes it
        cancelOpenRegistrations();
        // The wake-up read is the last operation: cancel it and reap its completion before the
        // memory it reads into is freed. Reap the loop's own cancels too (a registration can end
        // before the completion of a cancel aimed at it).
        wake.cancel();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((wake.armed || wake.cancelling || port.inflight() != inflight) && System.nanoTime() < deadline) {
            ring.submitAndWait(100_000_000L);
            ring.reap(dispatcher);
        }
        // Counted only now, after the last reaping: what completed meanwhile pins nothing. Only
        // operations of registrations pin memory (blocks, direct buffers, group buffers); a
        // cancel names a user_data, no memory, so one still in flight is no reason to leak.
        boolean busy = inflight != 0 || port.liveRegistrations() != 0;
        synchronized (wakeLock) {
            closed = true;
            LibC.close(eventFd);
        }
        ring.close();
        LiveLoops.left(port); // only now: until its fds are closed, no other loop may touch them
        if (busy) {
            // The kernel tears a ring down asynchronously and may still write into the memory of
            // operations in flight: never let it be freed (issue #10, item 14).
            LEAKED.add(this);
            LOG.log(System.Logger.Level.WARNING, "{0}: closed with {1} operation(s) in flight on "
                    + "{2} registration(s); leaking their memory ({3} bytes counted by the UringPort) on purpose "
                    + "so the kernel never writes freed memory", context.name(), inflight,
                    port.liveRegistrations(), port.allocatedBytes());
            return;
        }
        port.release();
        unregister(wake);
        wake.free();
        NativeMemory.free(scratch);
    }

    /**
     * Registrations whose handlers did not close them within the loop's close timeout: cancel
     * what they have in flight and reap for a bounded time, so that their handlers still hear
     * {@code unregistered()} and nothing needs to be leaked.
     */
    private void cancelOpenRegistrations() {
        if (port.liveRegistrations() == 0) {
            return;
        }
        port.forceClose();
        long deadline = System.nanoTime() + 2_000_000_000L;
        try {
            while (port.liveRegistrations() != 0 && System.nanoTime() - deadline < 0) {
                await(50_000_000L);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Cancelling registrations at close failed", e);
        }
    }

    /** Where failures go before a loop attaches (backend tests): the log. */
    private static final class DetachedContext implements LoopContext {
        @Override
        public String name() {
            return "io_uring";
        }

        @Override
        public boolean inLoop() {
            return true;
        }

        @Override
        public void handle(Throwable error) {
            LOG.log(System.Logger.Level.WARNING, "A completion handler threw", error);
        }
    }

    @Override
    public String toString() {
        return "io_uring[fd=" + ring.fd + " entries=" + ring.sqEntries + "/" + ring.cqEntries
                + " features=0x" + Integer.toHexString(ring.features) + " " + ring.setupName() + "]";
    }

    /** Keeps one READ of the eventfd in flight; each completion is a wake-up. */
    private final class WakeOp extends Op {
        private final Memory counter = NativeMemory.allocate(8);
        private final CancelWake canceller = new CancelWake();
        /** Made once: a method reference written at the call would allocate on every wake-up. */
        private final Runnable rearm = this::arm;
        boolean armed;
        boolean cancelling;
        boolean stopping;

        void arm() {
            if (stopping) {
                return;
            }
            int sqe = sqeOrDefer(rearm);
            if (sqe < 0) {
                return;
            }
            ring.prepare(sqe, Ring.OP_READ, eventFd, NativeMemory.address(counter), 8, -1L, id);
            armed = true;
        }

        @Override
        void complete(int result, int flags) {
            armed = false;
            if (!stopping) {
                arm();
            }
        }

        void cancel() {
            stopping = true;
            if (armed) {
                register(canceller);
                int sqe = sqe();
                for (int tries = 0; sqe < 0 && tries < 500; tries++) { // outside any dispatch: reaping makes room
                    ring.submitAndWait(10_000_000L);
                    ring.reap(dispatcher);
                    sqe = sqe();
                }
                if (sqe < 0) {
                    LOG.log(System.Logger.Level.WARNING, "Could not cancel the wake-up read; closing the ring with it in flight");
                    return;
                }
                ring.prepare(sqe, Ring.OP_ASYNC_CANCEL, -1, 0, 0, 0, canceller.id);
                ring.sqes().putLong(sqe + 16, id); // addr: the user_data to cancel
                cancelling = true;
            }
        }

        void free() {
            unregister(canceller);
            NativeMemory.free(counter);
        }

        private final class CancelWake extends Op {
            @Override
            void complete(int result, int flags) {
                cancelling = false;
            }
        }
    }
}
