// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.SubmissionQueueFullException;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import dev.loopwire.loop.completion.internal.LoopContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The io_uring backend's {@link UringPort}: registrations, the pooled operations they submit,
 * blocks, shared buffer groups, and the dispatch of completions to handlers.
 *
 * <p>Memory rule: an operation pins the blocks it names ({@link Block#pin()}) and strongly
 * references the direct buffers it names, from {@link #submit} until its final completion
 * (no {@code F_MORE}); blocks and group buffers are Java-owned direct memory, so nothing the
 * kernel may still write is ever freed while pinned. If the loop is forced to close with
 * operations in flight, the backend (and with it everything pinned) is leaked on purpose.
 *
 * <p>Loop thread only, except {@link #allocatedBytes()}, {@link #liveRegistrations()} and the
 * {@link #posix()} facet.
 */
final class LoopUringPort implements UringPort {

    private final UringBackend backend;
    private final Map<Integer, Registration> byFd = new ConcurrentHashMap<>();
    private final List<Registration> live = new ArrayList<>();
    private final List<Registration> toFinish = new ArrayList<>();
    private final List<Registration> toTellClosing = new ArrayList<>();
    private final List<ProvidedGroup> groups = new ArrayList<>();
    private final ProvidedGroup[] groupByClass = new ProvidedGroup[32];
    private final SqeWriter writer = new SqeWriter(this);
    private final CompletionView view = new CompletionView();
    private final AtomicLong allocated = new AtomicLong();
    private final CancelOp cancels = new CancelOp();
    private final Posix posix = new Posix(this);
    private volatile int liveCount;
    private UserOp pool;
    private int pooled;
    private int inflight;
    private boolean closing;
    private boolean ending;
    private ByteBuffer delivered;
    private ProvidedGroup deliveredGroup;
    private int deliveredBuffer = -1;
    // Base addresses of recently named direct buffers: 256 sets of 4 ways by identity hash,
    // replaced in turn within a set. JNA's lookup allocates a Pointer per call; with sends naming
    // pooled buffers in turn (a transport's chunks, many connections' buffers), the one-entry
    // cache this replaces missed on nearly every send. Weak, so that the loop keeps no buffer alive.
    private static final int ADDRESS_SETS = 256;
    private static final int ADDRESS_WAYS = 4;
    @SuppressWarnings("unchecked")
    private final java.lang.ref.WeakReference<ByteBuffer>[] addressKeys =
            new java.lang.ref.WeakReference[ADDRESS_SETS * ADDRESS_WAYS];
    private final long[] addressBases = new long[ADDRESS_SETS * ADDRESS_WAYS];
    private final byte[] addressNext = new byte[ADDRESS_SETS];

    LoopUringPort(UringBackend backend) {
        this.backend = backend;
        backend.register(cancels);
        LiveLoops.joined(this);
    }

    // ---- the capability

    @Override
    public UringRegistration register(int fd, UringHandler handler) {
        checkThread("UringPort.register");
        Objects.requireNonNull(handler, "handler");
        if (fd < -1) {
            throw new IllegalArgumentException("fd '" + fd + "' is not a file descriptor; pass an open fd, or -1 for none");
        }
        if (ending) { // the loop no longer turns for registrations: one now would never be served
            throw new IllegalStateException("Event loop '" + context().name() + "' has stopped turning and is "
                    + "releasing its registrations; register on an open loop");
        }
        checkNotLoopFd(fd, "registered", -1);
        Registration registration = new Registration(this, fd, handler);
        if (fd >= 0 && byFd.putIfAbsent(fd, registration) != null) {
            throw new IllegalArgumentException("fd '" + fd + "' is already registered on loop '" + context().name()
                    + "'; close that registration first (register an fd once)");
        }
        live.add(registration);
        liveCount = live.size();
        if (closing) { // after the others were told: this one hears it too, once the caller has it
            toTellClosing.add(registration);
        }
        return registration;
    }

    @Override
    public boolean supports(int opcode) {
        return Opcodes.supports(opcode);
    }

    @Override
    public UringBufferGroup bufferGroup(int bufferSize) {
        checkThread("UringPort.bufferGroup");
        if (bufferSize < 1 || bufferSize > UringBufferGroup.MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException("Buffer size '" + bufferSize + "' is out of range; use 1 to "
                    + UringBufferGroup.MAX_BUFFER_SIZE);
        }
        int size = Math.max(64, Integer.highestOneBit(bufferSize - 1) << 1);
        if (bufferSize == 1) {
            size = 64;
        }
        int sizeClass = Integer.numberOfTrailingZeros(size);
        ProvidedGroup group = groupByClass[sizeClass];
        if (group == null) {
            int id = backend.claimBufferGroup();
            if (id < 0) {
                throw new UnsupportedOperationException("No buffer group id is free on loop '" + context().name() + "'");
            }
            try {
                group = ProvidedGroup.create(this, backend.ring(), backend.scratch(), id, size);
            } catch (RuntimeException e) {
                backend.releaseBufferGroup(id);
                throw e;
            }
            groupByClass[sizeClass] = group;
            groups.add(group);
            allocated.addAndGet(group.bytes());
        }
        return group;
    }

    @Override
    public long allocatedBytes() {
        return allocated.get();
    }

    @Override
    public PosixCalls posix() {
        return posix;
    }

    // ---- checks shared by the facets

    LoopContext context() {
        return backend.context();
    }

    void checkThread(String call) {
        if (!backend.context().inLoop()) {
            throw new IllegalStateException(call + " called from thread '" + Thread.currentThread().getName()
                    + "'; UringPort runs on the thread of loop '" + context().name()
                    + "' only: hand the work over with loop.execute(...)");
        }
    }

    Block checkBlock(NativeBlock block, String field, int opcode) {
        Objects.requireNonNull(block, "block");
        if (!(block instanceof Block) || ((Block) block).port != this) {
            throw new IllegalArgumentException("NativeBlock '" + block + "' given as " + Checks.use(field, opcode)
                    + " was not allocated on loop '" + context().name() + "'; allocate it from a registration of this loop");
        }
        return (Block) block;
    }

    ProvidedGroup checkGroup(UringBufferGroup group) {
        Objects.requireNonNull(group, "group");
        if (!(group instanceof ProvidedGroup) || ((ProvidedGroup) group).port != this) {
            throw new IllegalArgumentException("Buffer group '" + group + "' belongs to another loop; use "
                    + "bufferGroup(size) of loop '" + context().name() + "'");
        }
        return (ProvidedGroup) group;
    }

    /** The address of a direct buffer's position; one cached lookup, so a reused buffer costs nothing. */
    long address(ByteBuffer direct) {
        int set = System.identityHashCode(direct) & (ADDRESS_SETS - 1);
        int first = set * ADDRESS_WAYS;
        for (int slot = first; slot < first + ADDRESS_WAYS; slot++) {
            java.lang.ref.WeakReference<ByteBuffer> key = addressKeys[slot];
            if (key != null && key.get() == direct) {
                return addressBases[slot] + direct.position();
            }
        }
        int slot = first + addressNext[set];
        addressNext[set] = (byte) ((addressNext[set] + 1) % ADDRESS_WAYS);
        addressBases[slot] = baseAddress(direct);
        addressKeys[slot] = new java.lang.ref.WeakReference<>(direct);
        return addressBases[slot] + direct.position();
    }

    static long baseAddress(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** No loop's ring or eventfd (this loop's or another's) is a caller's to register, target or close. */
    void checkNotLoopFd(int fd, String field, int opcode) {
        LoopUringPort owner = LiveLoops.owningLoopFd(fd);
        if (owner != null) {
            throw new IllegalArgumentException("fd '" + fd + "' is loop '" + owner.context().name()
                    + "''s own (its io_uring or its wake-up eventfd) and cannot be " + Checks.use(field, opcode)
                    + "; use an fd you opened");
        }
    }

    boolean ownsLoopFd(int fd) {
        return backend.ownsFd(fd);
    }

    boolean isRegistered(int fd) {
        return byFd.containsKey(fd);
    }

    SqeWriter writer() {
        return writer;
    }

    // ---- submission and completion

    long submit(SqeWriter filled) {
        int opcode = filled.opcode();
        int sqe = backend.sqe();
        if (sqe < 0) {
            throw new SubmissionQueueFullException("The submission queue of loop '" + context().name()
                    + "' takes no more entries right now (" + Opcodes.name(opcode) + " not submitted); retry on a "
                    + "later loop turn, e.g. from loop.execute(...), after completions have made room");
        }
        UserOp op = acquire();
        backend.register(op);
        filled.writeTo(backend.ring().sqes(), sqe, op);
        filled.registration().started(op);
        inflight++;
        backend.opStarted();
        return op.id;
    }

    private UserOp acquire() {
        UserOp op = pool;
        if (op == null) {
            return new UserOp(this);
        }
        pool = op.next;
        op.next = null;
        pooled--;
        return op;
    }

    UserOp userOp(long operationId) {
        Op op = backend.op(operationId);
        return op instanceof UserOp ? (UserOp) op : null;
    }

    /** Submits one ASYNC_CANCEL for {@code op}, at most once per operation. */
    void cancel(UserOp op) {
        if (op.cancelRequested) {
            return;
        }
        op.cancelRequested = true;
        long target = op.id;
        submitCancel(target);
    }

    private void submitCancel(long target) {
        int sqe = backend.sqeOrDefer(() -> {
            if (backend.op(target) != null) {
                submitCancel(target);
            }
        });
        if (sqe < 0) {
            return;
        }
        backend.ring().prepare(sqe, Ring.OP_ASYNC_CANCEL, -1, target, 0, 0, cancels.id);
        cancels.inflight++;
    }

    void completed(UserOp op, int result, int flags) {
        Registration registration = op.registration;
        boolean last = (flags & CQE_F_MORE) == 0;
        ProvidedGroup group = (flags & CQE_F_BUFFER) != 0 ? op.group : null;
        int bid = group != null ? flags >>> 16 : -1;
        CompletionView v = view;
        v.operationId = op.id;
        v.opcode = op.opcode;
        v.tag = op.tag;
        v.result = result;
        v.flags = flags;
        v.bufferId = bid;
        v.buffer = group != null ? group.view(bid, result) : null;
        delivered = v.buffer;
        deliveredGroup = group;
        deliveredBuffer = bid;
        try {
            registration.handler.complete(registration, v);
        } catch (Throwable t) { // a handler never ends the loop
            context().handle(t);
        } finally {
            v.buffer = null;
            delivered = null;
            if (deliveredGroup != null) { // not handed over to an operation
                deliveredGroup.recycle(bid);
                deliveredGroup = null;
            }
            if (last) {
                finalCompletion(op, registration);
            }
        }
    }

    private void finalCompletion(UserOp op, Registration registration) {
        registration.ended(op);
        backend.unregister(op);
        op.unpinAll();
        inflight--;
        backend.opEnded();
        op.next = pool;
        pool = op;
        pooled++;
    }

    /** Whether {@code memory} is the provided buffer being delivered right now. */
    boolean isDelivered(Object memory) {
        return memory != null && memory == delivered && deliveredGroup != null;
    }

    /**
     * An operation names the buffer being delivered (an echo of what was received): the buffer
     * goes back to the kernel at that operation's final completion, so the kernel never fills it
     * with the next message while the operation still reads it.
     */
    void handOverDelivered(UserOp op) {
        op.heldGroup = deliveredGroup;
        op.heldBuffer = deliveredBuffer;
        deliveredGroup = null;
    }

    void finishLater(Registration registration) {
        if (!registration.finishQueued) {
            registration.finishQueued = true;
            toFinish.add(registration);
        }
    }

    /** Tells the handlers of fully closed registrations; run before and after each wait. */
    void finishClosed() {
        tellLateRegistrationsClosing();
        while (!toFinish.isEmpty()) {
            Registration registration = toFinish.remove(toFinish.size() - 1);
            registration.state = Registration.State.UNREGISTERED;
            if (registration.fd >= 0) {
                byFd.remove(registration.fd, registration);
            }
            live.remove(registration);
            liveCount = live.size();
            registration.closeBlocks();
            try {
                registration.handler.unregistered(registration);
            } catch (Throwable t) {
                context().handle(t);
            }
        }
    }

    boolean hasFinishPending() {
        return !toFinish.isEmpty();
    }

    // ---- memory accounting

    void allocated(long bytes) {
        allocated.addAndGet(bytes);
    }

    void released(Block block, long bytes) {
        allocated.addAndGet(-bytes);
    }

    // ---- loop close

    /** The loop is closing: each open registration's handler hears it, on the loop thread. */
    void loopClosing() {
        if (closing) {
            return;
        }
        closing = true;
        for (Registration registration : new ArrayList<>(live)) {
            tellClosing(registration);
        }
    }

    private void tellClosing(Registration registration) {
        if (registration.state != Registration.State.OPEN) {
            return;
        }
        try {
            registration.handler.loopClosing(registration);
        } catch (Throwable t) {
            context().handle(t);
            registration.closeOnLoop(); // a handler that failed here cannot be trusted to close
        }
    }

    /** Registrations made on the loop thread while the loop closes hear it like the others. */
    private void tellLateRegistrationsClosing() {
        while (!toTellClosing.isEmpty()) {
            tellClosing(toTellClosing.remove(0));
        }
    }

    /**
     * Called when the loop stops turning (its close timeout passed, or it is releasing the queue):
     * from now on registering is refused; cancel what handlers left open.
     */
    void forceClose() {
        ending = true;
        tellLateRegistrationsClosing();
        for (Registration registration : new ArrayList<>(live)) {
            registration.closeOnLoop();
        }
    }

    /** Registrations not yet unregistered; any thread. */
    int liveRegistrations() {
        return liveCount;
    }

    /** Public operations in flight plus cancels in flight. */
    int inflight() {
        return inflight + cancels.inflight;
    }

    /** Releases the groups; only when nothing is in flight (else the backend leaks itself). */
    void release() {
        for (ProvidedGroup group : groups) {
            group.unregister(backend.ring(), backend.scratch());
            allocated.addAndGet(-group.bytes());
        }
        groups.clear();
        java.util.Arrays.fill(groupByClass, null);
        backend.unregister(cancels);
    }

    @Override
    public String toString() {
        return "UringPort[registrations=" + liveCount + " inflight=" + inflight + " groups=" + groups.size()
                + " allocated=" + allocated.get() + " pooled=" + pooled + "]";
    }

    /** The completions of the loop's own cancels: nothing to deliver, only to count. */
    private static final class CancelOp extends Op {
        int inflight;

        @Override
        void complete(int result, int flags) {
            inflight--;
        }
    }
}
