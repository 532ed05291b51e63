// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpHandler;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.WinsockCalls;
import dev.loopwire.loop.completion.internal.LoopContext;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The IOCP backend's {@link IocpPort}: registrations and their completion keys, the pooled
 * {@code OVERLAPPED} slots their operations run on, blocks, and the dispatch of completions to
 * handlers.
 *
 * <p>Memory rule, as on io_uring: an operation pins the blocks it names ({@link IocpBlock#pin()})
 * and strongly references the direct buffers it names and its slot, from the call that starts
 * it until its completion has been dequeued; blocks and slots are Java-owned direct memory, so
 * nothing the system may still write is ever freed while pinned. If the loop is forced to close
 * with operations still in flight, the port (and with it everything pinned) is kept reachable for
 * the life of the process on purpose.
 *
 * <p>Every started operation completes through the port: {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}
 * is not set on associated handles, and a call refused at once is reported by
 * {@link #deliverFailed()} on the next turn, so each operation reaches its handler exactly once
 * and its memory is unpinned in one place.
 *
 * <p>Loop thread only, except {@link #allocatedBytes()}, {@link #liveRegistrations()},
 * {@link #isAssociated} and the {@link #winsock()} facet.
 */
final class LoopIocpPort implements IocpPort {

    /** Completion keys of registrations start here; below are the wake-up key and datagram sockets. */
    static final long KEY_BASE = 1L << 48;

    private static final System.Logger LOG = System.getLogger(LoopIocpPort.class.getName());
    /** Ports whose memory was left to the system by a forced close; kept for the life of the process. */
    private static final List<LoopIocpPort> LEAKED = new CopyOnWriteArrayList<>();
    // Scratch block: the outputs of the error look-ups nobody reads.
    private static final int S_BYTES = 0;
    private static final int S_FLAGS = 4;

    private final WinApi api;
    private final long portHandle;
    private volatile LoopContext context;
    private final PortSlots slots = new PortSlots();
    private final PortWriter writer = new PortWriter(this);
    private final PortCompletion view = new PortCompletion();
    private final Map<Long, PortRegistration> byHandle = new ConcurrentHashMap<>();
    private final List<PortRegistration> live = new ArrayList<>();
    private final List<PortRegistration> toFinish = new ArrayList<>();
    private final ArrayDeque<PortOp> failed = new ArrayDeque<>();
    private final AtomicLong blockBytes = new AtomicLong();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
    private final long scratchAddress = baseAddress(scratch);
    private final ExtensionFunctions extensions;
    private final Winsock winsock;
    private volatile int liveCount;
    private long nextKey = KEY_BASE;
    private int inflight;
    private int pinned;
    private boolean closing;
    private boolean shut;
    private ByteBuffer lastBuffer;
    private long lastBase;

    LoopIocpPort(WinApi api, long portHandle, LoopContext context) {
        this.api = api;
        this.portHandle = portHandle;
        this.context = context;
        this.winsock = new Winsock(api, this);
        this.extensions = new ExtensionFunctions(api);
    }

    void attach(LoopContext loop) {
        context = loop;
    }

    // ---- the capability

    @Override
    public IocpRegistration associate(long handle, IocpHandler handler) {
        checkThread("IocpPort.associate");
        Objects.requireNonNull(handler, "handler");
        if (handle == 0) {
            throw new IllegalArgumentException("Handle '0' is not a HANDLE or SOCKET; pass an open handle, or "
                    + "IocpPort.NO_HANDLE for a registration that only receives posts");
        }
        if (closing) {
            throw new IllegalStateException("Event loop '" + context.name() + "' is closing; associate with an open loop");
        }
        PortRegistration registration = new PortRegistration(this, handle, nextKey, handler);
        if (handle != NO_HANDLE) {
            PortRegistration earlier = byHandle.putIfAbsent(handle, registration);
            if (earlier != null) {
                throw new IllegalArgumentException("Handle '0x" + Long.toHexString(handle) + "' is already associated "
                        + "with loop '" + context.name() + "' (" + earlier + "); close that registration first, and "
                        + "associate a handle once");
            }
            if (api.CreateIoCompletionPort(handle, portHandle, registration.key, 0) == 0) {
                int error = api.lastError();
                byHandle.remove(handle, registration);
                String remedy = error == WinsockErrors.ERROR_INVALID_PARAMETER
                        ? " (a handle is associated with one completion port for its whole life; open a new handle)"
                        : " (open the handle for overlapped I/O: WSA_FLAG_OVERLAPPED or FILE_FLAG_OVERLAPPED)";
                throw new UncheckedIOException(WinsockErrors.exception("CreateIoCompletionPort for handle '0x"
                        + Long.toHexString(handle) + "'" + remedy, error));
            }
        }
        nextKey++;
        live.add(registration);
        liveCount = live.size();
        return registration;
    }

    @Override
    public long allocatedBytes() {
        return blockBytes.get() + slots.bytes();
    }

    @Override
    public WinsockCalls winsock() {
        return winsock;
    }

    // ---- checks shared by the facets

    LoopContext context() {
        return context;
    }

    WinApi api() {
        return api;
    }

    PortWriter writer() {
        return writer;
    }

    void checkThread(String call) {
        if (!context.inLoop()) {
            throw new IllegalStateException(call + " called from thread '" + Thread.currentThread().getName()
                    + "'; IocpPort runs on the thread of loop '" + context.name()
                    + "' only: hand the work over with loop.execute(...)");
        }
    }

    static void checkDirect(ByteBuffer buffer, String use) {
        Objects.requireNonNull(buffer, "buffer");
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("Heap ByteBuffer '" + buffer + "' given as " + use
                    + ": Windows needs memory the loop can pin; use ByteBuffer.allocateDirect(...) or a block from "
                    + "IocpRegistration.allocate(...)");
        }
    }

    IocpBlock checkBlock(NativeBlock block, String use) {
        Objects.requireNonNull(block, "block");
        if (!(block instanceof IocpBlock) || ((IocpBlock) block).port != this) {
            throw new IllegalArgumentException("NativeBlock '" + block + "' given as " + use
                    + " was not allocated on loop '" + context.name() + "'; allocate it from a registration of this loop");
        }
        return (IocpBlock) block;
    }

    /** The address of a direct buffer's position; one cached lookup, so a reused buffer costs nothing. */
    long address(ByteBuffer direct) {
        if (direct != lastBuffer) {
            lastBase = baseAddress(direct);
            lastBuffer = direct;
        }
        return lastBase + direct.position();
    }

    static long baseAddress(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** Whether {@code handle} belongs to a registration not yet unregistered; any thread. */
    boolean isAssociated(long handle) {
        return byHandle.containsKey(handle);
    }

    // ---- starting operations

    /** Takes a slot for an operation about to start and counts it in flight. */
    PortOp begin(PortRegistration registration, IocpFunction function, long tag, Object memory1, Object memory2) {
        PortOp op = slots.acquire();
        op.clearSlot();
        op.registration = registration;
        op.function = function;
        op.tag = tag;
        op.memory1 = memory1;
        op.memory2 = memory2;
        op.inFlight = true;
        pinned += (memory1 != null ? 1 : 0) + (memory2 != null ? 1 : 0);
        registration.started(op);
        inflight++;
        return op;
    }

    /** The call that starts {@code op} returned: 0 if the system took it, else the refusal to report. */
    void started(PortOp op, int error) {
        if (error != 0) {
            op.failedAtOnce = error;
            failed.add(op);
        }
    }

    long post(PortRegistration registration, int bytes, long tag) {
        PortOp op = begin(registration, IocpFunction.POST, tag, null, null);
        started(op, api.PostQueuedCompletionStatus(portHandle, bytes, registration.key, op.address) != 0
                ? 0 : nonZero(api.lastError()));
        return op.id;
    }

    ExtensionFunctions extensions() {
        return extensions;
    }

    PortOp op(long operationId) {
        return slots.byId(operationId);
    }

    /** Asks Windows to cancel {@code op}, at most once; its completion still comes through the port. */
    void cancel(PortOp op) {
        if (op.cancelRequested || op.failedAtOnce != 0 || op.function == IocpFunction.POST) {
            return;
        }
        op.cancelRequested = true;
        if (api.CancelIoEx(op.registration.handle, op.address) == 0) {
            int error = api.lastError();
            // ERROR_NOT_FOUND: it already finished and its completion is queued.
            if (error != WinsockErrors.ERROR_NOT_FOUND) {
                LOG.log(System.Logger.Level.WARNING, "CancelIoEx of {0} on {1} failed: {2}", op, op.registration,
                        IocpErrors.describe(error));
            }
        }
    }

    // ---- completions

    /**
     * A completion the driver dequeued under one of the port's keys.
     *
     * @return whether it matched an operation in flight
     */
    boolean completed(long key, long overlapped, int bytes) {
        PortOp op = slots.at(overlapped);
        if (op == null || !op.inFlight || op.failedAtOnce != 0 || op.registration.key != key) {
            LOG.log(System.Logger.Level.WARNING, "Ignored a completion with key 0x{0} and OVERLAPPED 0x{1} that matches "
                    + "no operation in flight", Long.toHexString(key), Long.toHexString(overlapped));
            return false;
        }
        int error = 0;
        if (op.function != IocpFunction.POST && op.slot.getLong(op.offset + WinLayout.OVERLAPPED_INTERNAL) != 0) {
            error = overlappedError(op);
        }
        deliver(op, bytes, error);
        return true;
    }

    /** Internal holds a final NTSTATUS that is not success: ask Windows for its Win32 / Winsock code. */
    private int overlappedError(PortOp op) {
        long handle = op.registration.handle;
        int ok = op.function.isWinsock()
                ? api.WSAGetOverlappedResult(handle, op.address, scratchAddress + S_BYTES, 0, scratchAddress + S_FLAGS)
                : api.GetOverlappedResult(handle, op.address, scratchAddress + S_BYTES, 0);
        return ok != 0 ? 0 : nonZero(api.lastError());
    }

    private void deliver(PortOp op, int bytes, int error) {
        PortRegistration registration = op.registration;
        PortCompletion v = view;
        v.operationId = op.id;
        v.function = op.function;
        v.tag = op.tag;
        v.bytes = bytes;
        v.error = error;
        // A datagram too large for the buffer was still dequeued, sender and all (WSAEMSGSIZE):
        // its sender is reported too, so that the drop can name it.
        v.addressLength = op.function == IocpFunction.WSA_RECV_FROM && (error == 0 || error == WinsockErrors.WSAEMSGSIZE
                || error == WinsockErrors.ERROR_MORE_DATA) ? op.slot.getInt(op.offset + PortOp.ADDRESS_LENGTH) : 0;
        try {
            if (!shut) {
                registration.handler.complete(registration, v);
            }
        } catch (Throwable t) { // a handler never ends the loop
            context.handle(t);
        } finally {
            finalCompletion(op, registration);
        }
    }

    private void finalCompletion(PortOp op, PortRegistration registration) {
        pinned -= (op.memory1 != null ? 1 : 0) + (op.memory2 != null ? 1 : 0);
        registration.ended(op);
        op.unpinAll();
        inflight--;
        slots.recycle(op);
    }

    /** Reports the operations Windows refused at once, queued before this call. */
    void deliverFailed() {
        for (int n = failed.size(); n > 0; n--) {
            PortOp op = failed.poll();
            int error = op.failedAtOnce;
            op.failedAtOnce = 0;
            deliver(op, 0, error);
        }
    }

    void finishLater(PortRegistration registration) {
        if (!registration.finishQueued) {
            registration.finishQueued = true;
            toFinish.add(registration);
        }
    }

    /** Tells the handlers of fully closed registrations. */
    void finishClosed() {
        while (!toFinish.isEmpty()) {
            PortRegistration registration = toFinish.remove(toFinish.size() - 1);
            registration.state = PortRegistration.State.UNREGISTERED;
            if (registration.handle != NO_HANDLE) {
                byHandle.remove(registration.handle, registration);
            }
            live.remove(registration);
            liveCount = live.size();
            registration.closeBlocks();
            try {
                registration.handler.unregistered(registration);
            } catch (Throwable t) {
                context.handle(t);
            }
        }
    }

    /** Whether the next turn has something to do without waiting. */
    boolean hasWork() {
        return !toFinish.isEmpty() || !failed.isEmpty();
    }

    // ---- memory accounting

    void allocated(long bytes) {
        blockBytes.addAndGet(bytes);
    }

    void released(long bytes) {
        blockBytes.addAndGet(-bytes);
    }

    /** Blocks and direct buffers held by operations in flight; for tests. */
    int pinned() {
        return pinned;
    }

    // ---- loop close

    /** The loop is closing: each open registration's handler hears it, on the loop thread. */
    void loopClosing() {
        if (closing) {
            return;
        }
        closing = true;
        for (PortRegistration registration : new ArrayList<>(live)) {
            if (registration.state != PortRegistration.State.OPEN) {
                continue;
            }
            try {
                registration.handler.loopClosing(registration);
            } catch (Throwable t) {
                context.handle(t);
                registration.closeOnLoop(); // a handler that failed here cannot be trusted to close
            }
        }
    }

    /**
     * The backend is releasing the port: cancel everything still in flight; completions dequeued
     * from now on only unpin memory, no handler is called any more.
     */
    void shutdown() {
        closing = true;
        for (PortRegistration registration : new ArrayList<>(live)) {
            registration.closeOnLoop();
        }
        shut = true;
        deliverFailed();
    }

    /** After the driver's last drain: whatever is still in flight stays Windows' memory for good. */
    void release() {
        if (inflight == 0) {
            return;
        }
        LEAKED.add(this);
        LOG.log(System.Logger.Level.WARNING, "{0}: closed with {1} IOCP operation(s) in flight on {2} registration(s); "
                + "leaking their memory ({3} bytes counted by the IocpPort) on purpose so Windows never writes freed "
                + "memory", context.name(), inflight, liveCount, allocatedBytes());
    }

    /** Registrations not yet unregistered; any thread. */
    int liveRegistrations() {
        return liveCount;
    }

    /** Operations started or posted and not yet completed. */
    int inflight() {
        return inflight;
    }

    /** Ports leaked on purpose by a forced close, in this JVM. */
    static int leakedPorts() {
        return LEAKED.size();
    }

    static int nonZero(int error) {
        return error != 0 ? error : 31; // ERROR_GEN_FAILURE: a failure that left no last error
    }

    @Override
    public String toString() {
        return "IocpPort[registrations=" + liveCount + " inflight=" + inflight + " pinned=" + pinned
                + " allocated=" + allocatedBytes() + "]";
    }
}
