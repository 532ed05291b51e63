// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.loopwire.loop.completion.internal.NativeMemory;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One io_uring instance: the submission and completion rings mapped into this process, with
 * the raw operations on them (get an SQE, submit, wait, reap).
 *
 * <p>Memory ordering: the SQ head and CQ tail are written by the kernel and read with acquire;
 * the SQ tail and CQ head are written by us with release. The SQ array maps slot i to SQE i
 * once, at setup, so an SQE's index is simply the tail masked.
 *
 * <p>Submission accounting trusts the kernel's SQ head, not the count {@code io_uring_enter}
 * returns: entries the kernel did not consume (a rejected SQE stops a batch) stay pending and
 * go with the next call.
 *
 * <p>Not thread-safe: one thread owns a ring.
 */
final class Ring {

    static final int OP_NOP = 0;
    static final int OP_SENDMSG = 9;
    static final int OP_RECVMSG = 10;
    static final int OP_ASYNC_CANCEL = 14;
    static final int OP_READ = 22;

    static final int SQE_BUFFER_SELECT = 1 << 5;
    static final int RECV_MULTISHOT = 1 << 1;
    static final int CANCEL_ALL = 1;
    static final int CANCEL_FD = 1 << 1;
    static final int CQE_F_BUFFER = 1;
    static final int CQE_F_MORE = 1 << 1;

    static final int REGISTER_PBUF_RING = 22;
    static final int UNREGISTER_PBUF_RING = 23;

    static final int FEAT_SINGLE_MMAP = 1;
    static final int FEAT_NODROP = 1 << 1;
    static final int FEAT_EXT_ARG = 1 << 8;

    private static final int SETUP_R_DISABLED = 1 << 6;
    private static final int SETUP_CQSIZE = 1 << 3;
    private static final int SETUP_COOP_TASKRUN = 1 << 8;
    private static final int SETUP_SINGLE_ISSUER = 1 << 12;
    private static final int SETUP_DEFER_TASKRUN = 1 << 13;
    private static final int REGISTER_ENABLE_RINGS = 12;
    /** {@code -Dloopwire.uring.deferTaskrun=false} keeps the COOP_TASKRUN setup (for comparisons). */
    private static final boolean TRY_DEFER_TASKRUN =
            !"false".equals(System.getProperty("loopwire.uring.deferTaskrun"));
    private static final int ENTER_GETEVENTS = 1;
    private static final int ENTER_EXT_ARG = 1 << 3;
    private static final int SQ_CQ_OVERFLOW = 1 << 1;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_CQ_RING = 0x8000000L;
    private static final long OFF_SQES = 0x10000000L;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    final int fd;
    final int sqEntries;
    final int cqEntries;
    final int features;

    private final long sqRingAddress;
    private final long sqRingSize;
    private final long cqRingAddress;
    private final long cqRingSize;
    private final long sqesAddress;
    private final long sqesSize;
    private final ByteBuffer sqRing;
    private final ByteBuffer cqRing;
    private final ByteBuffer sqes;
    private final int sqHead;
    private final int sqTailOffset;
    private final int sqFlags;
    private final int sqMask;
    private final int cqHeadOffset;
    private final int cqTailOffset;
    private final int cqMask;
    private final int cqes;
    private final Memory waitArgument; // io_uring_getevents_arg (24 bytes) then a timespec (16)
    private final long waitArgumentAddress;
    private int sqTail;
    private int cqHead;
    /** The CQ head as last stored for the kernel; {@link #cqHead} runs ahead of it within a reap. */
    private int publishedCqHead;
    private long cqHeadStores;
    private boolean closed;
    /** Set up with SINGLE_ISSUER | DEFER_TASKRUN: completions are posted only when we enter with GETEVENTS. */
    final boolean deferTaskrun;
    private boolean disabled;
    /** Tests only: the kernel "takes no entries" while set, as a ring that cannot make room. */
    boolean refuseSubmissions;

    /** What reaping hands each completion to. */
    interface CompletionSink {
        void complete(long userData, int result, int flags);
    }

    private Ring(int fd, Memory params, int setupFlags) throws IOException {
        this.fd = fd;
        deferTaskrun = (setupFlags & SETUP_DEFER_TASKRUN) != 0;
        disabled = (setupFlags & SETUP_R_DISABLED) != 0;
        sqEntries = params.getInt(0);
        cqEntries = params.getInt(4);
        features = params.getInt(20);
        int sqOff = 40;
        int cqOff = 80;
        sqHead = params.getInt(sqOff);
        sqTailOffset = params.getInt(sqOff + 4);
        int sqMaskOffset = params.getInt(sqOff + 8);
        sqFlags = params.getInt(sqOff + 16);
        int sqArray = params.getInt(sqOff + 24);
        cqHeadOffset = params.getInt(cqOff);
        cqTailOffset = params.getInt(cqOff + 4);
        int cqMaskOffset = params.getInt(cqOff + 8);
        cqes = params.getInt(cqOff + 20);

        long sqSize = sqArray + 4L * sqEntries;
        long cqSize = cqes + 16L * cqEntries;
        boolean single = (features & FEAT_SINGLE_MMAP) != 0;
        if (single) {
            sqSize = Math.max(sqSize, cqSize);
            cqSize = sqSize;
        }
        long sq = map(sqSize, OFF_SQ_RING);
        long cq = sq;
        long sqe = 0;
        try {
            if (!single) {
                cq = map(cqSize, OFF_CQ_RING);
            }
            sqe = map(64L * sqEntries, OFF_SQES);
        } catch (IOException e) {
            if (cq != sq) {
                LibC.munmap(cq, cqSize);
            }
            LibC.munmap(sq, sqSize);
            throw e;
        }
        sqRingAddress = sq;
        sqRingSize = sqSize;
        cqRingAddress = cq;
        cqRingSize = single ? 0 : cqSize;
        sqesAddress = sqe;
        sqesSize = 64L * sqEntries;
        sqRing = view(sq, sqSize);
        cqRing = single ? sqRing : view(cq, cqSize);
        sqes = view(sqe, sqesSize);
        sqMask = sqRing.getInt(sqMaskOffset);
        cqMask = cqRing.getInt(cqMaskOffset);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.putInt(sqArray + 4 * i, i);
        }
        sqTail = (int) INT.getAcquire(sqRing, sqTailOffset);
        cqHead = (int) INT.getAcquire(cqRing, cqHeadOffset);
        publishedCqHead = cqHead;
        waitArgument = NativeMemory.allocate(40);
        waitArgumentAddress = NativeMemory.address(waitArgument);
        waitArgument.setInt(8, 8); // sigmask_sz: _NSIG / 8, though no mask is passed
    }

    /**
     * Sets up a ring.
     *
     * @param entries submission queue entries (a power of two)
     * @param completionEntries completion queue entries (a power of two, at least {@code entries})
     */
    static Ring open(int entries, int completionEntries) throws IOException {
        Memory params = NativeMemory.allocate(120);
        try {
            // SINGLE_ISSUER | DEFER_TASKRUN (6.1): completion work runs only when the loop thread
            // asks for events, never interrupting it. The ring starts disabled so that the loop
            // thread, not the thread that opened the loop, becomes its single issuer (enable()).
            int flags = SETUP_CQSIZE | SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN | SETUP_R_DISABLED;
            long fd = TRY_DEFER_TASKRUN ? setup(params, entries, completionEntries, flags) : -Errno.EINVAL;
            if (fd == -Errno.EINVAL) { // before 6.1; COOP_TASKRUN needs 5.19
                flags = SETUP_CQSIZE | SETUP_COOP_TASKRUN;
                fd = setup(params, entries, completionEntries, flags);
            }
            if (fd == -Errno.EINVAL) {
                flags = SETUP_CQSIZE;
                fd = setup(params, entries, completionEntries, flags);
            }
            if (fd < 0) {
                throw Errno.exception("io_uring_setup", (int) -fd);
            }
            try {
                return new Ring((int) fd, params, flags);
            } catch (IOException | RuntimeException e) {
                LibC.close((int) fd);
                throw e;
            }
        } finally {
            NativeMemory.free(params);
        }
    }

    private static long setup(Memory params, int entries, int completionEntries, int flags) {
        params.clear();
        params.setInt(4, completionEntries);
        params.setInt(8, flags);
        long fd = LibC.syscall(LibC.SYS_IO_URING_SETUP, entries, NativeMemory.address(params), 0, 0, 0, 0);
        return fd < 0 ? -LibC.errno() : fd;
    }

    private long map(long size, long offset) throws IOException {
        long address = LibC.mmap(0, size, LibC.PROT_READ_WRITE, LibC.MAP_SHARED_POPULATE, fd, offset);
        if (address == -1) {
            throw Errno.exception("mmap of the io_uring rings", LibC.errno());
        }
        return address;
    }

    private static ByteBuffer view(long address, long size) {
        return new Pointer(address).getByteBuffer(0, size).order(ByteOrder.nativeOrder());
    }

    /**
     * Enables a ring set up disabled, making the calling thread its single issuer; every later
     * submission must come from this thread. Does nothing after the first call.
     */
    void enable() {
        if (disabled) {
            disabled = false;
            int result = register(REGISTER_ENABLE_RINGS, 0, 0);
            if (result < 0) {
                throw new IllegalStateException("io_uring_register(ENABLE_RINGS) failed: " + Errno.describe(-result));
            }
        }
    }

    /** The SQE memory; an SQE starts at the offset {@link #nextSqe()} returned. */
    ByteBuffer sqes() {
        return sqes;
    }

    /**
     * Claims the next free SQE, zeroed.
     *
     * @return its byte offset in {@link #sqes()}, or -1 if the submission ring is full
     */
    int nextSqe() {
        int head = (int) INT.getAcquire(sqRing, sqHead);
        if (sqTail - head == sqEntries) {
            return -1;
        }
        int offset = (sqTail & sqMask) * 64;
        sqTail++;
        for (int i = 0; i < 64; i += 8) {
            sqes.putLong(offset + i, 0);
        }
        return offset;
    }

    /** Fills the fields most operations use; the SQE must come from {@link #nextSqe()}. */
    void prepare(int sqe, int opcode, int fd, long address, int length, long offset, long userData) {
        sqes.put(sqe, (byte) opcode);
        sqes.putInt(sqe + 4, fd);
        sqes.putLong(sqe + 8, offset);
        sqes.putLong(sqe + 16, address);
        sqes.putInt(sqe + 24, length);
        sqes.putLong(sqe + 32, userData);
    }

    /** SQEs claimed and not yet consumed by the kernel. */
    int pending() {
        return sqTail - (int) INT.getAcquire(sqRing, sqHead);
    }

    /**
     * Hands at most {@code max} pending SQEs to the kernel without waiting.
     *
     * @return how many the kernel consumed, or a negative errno
     */
    int submit(int max) {
        if (refuseSubmissions) {
            return -Errno.EBUSY;
        }
        INT.setRelease(sqRing, sqTailOffset, sqTail);
        int count = Math.min(max, pending());
        boolean overflow = ((int) INT.getAcquire(sqRing, sqFlags) & SQ_CQ_OVERFLOW) != 0;
        if (count == 0 && !overflow && !deferTaskrun) {
            return 0;
        }
        // With DEFER_TASKRUN, completions are posted only by an enter with GETEVENTS: a turn
        // that does not wait (tasks pending) must still ask, or completions would starve.
        return enter(count, 0, overflow || deferTaskrun ? ENTER_GETEVENTS : 0, 0, 0);
    }

    /** Hands every pending SQE to the kernel without waiting. */
    int submit() {
        return submit(Integer.MAX_VALUE);
    }

    /**
     * Submits every pending SQE and waits for at least one completion.
     *
     * @param timeoutNanos negative for no timeout
     * @return how many SQEs the kernel consumed, or a negative errno ({@code -ETIME} on timeout)
     */
    int submitAndWait(long timeoutNanos) {
        if (refuseSubmissions) {
            return -Errno.EBUSY;
        }
        INT.setRelease(sqRing, sqTailOffset, sqTail);
        if (timeoutNanos >= 0) {
            waitArgument.setLong(24, timeoutNanos / 1_000_000_000L);
            waitArgument.setLong(32, timeoutNanos % 1_000_000_000L);
            waitArgument.setLong(16, waitArgumentAddress + 24);
        } else {
            waitArgument.setLong(16, 0);
        }
        return enter(pending(), 1, ENTER_GETEVENTS | ENTER_EXT_ARG, waitArgumentAddress, 24);
    }

    private int enter(int toSubmit, int minComplete, int flags, long argument, long argumentSize) {
        enable(); // the first thread to enter becomes the single issuer
        publishCqHead(); // entered from a sink mid-batch: the kernel may reuse the entries read
        long result = LibC.syscall(LibC.SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, argument, argumentSize);
        return result < 0 ? -LibC.errno() : (int) result;
    }

    /**
     * Hands every completion that is ready to {@code sink}; returns how many.
     *
     * <p>The CQ head the kernel reads is published once per batch, not per entry (one release
     * store instead of one per completion). Each entry is copied out before the sink runs, so a
     * sink that enters the kernel (a full submission ring) may let the kernel reuse the slots
     * already read: {@link #enter} publishes the head first.
     */
    int reap(CompletionSink sink) {
        int count = 0;
        int tail = (int) INT.getAcquire(cqRing, cqTailOffset);
        while (cqHead != tail) {
            int offset = cqes + (cqHead & cqMask) * 16;
            long userData = cqRing.getLong(offset);
            int result = cqRing.getInt(offset + 8);
            int flags = cqRing.getInt(offset + 12);
            cqHead++;
            sink.complete(userData, result, flags);
            count++;
            if (cqHead == tail) {
                tail = (int) INT.getAcquire(cqRing, cqTailOffset);
            }
        }
        publishCqHead();
        return count;
    }

    private void publishCqHead() {
        if (cqHead != publishedCqHead) {
            publishedCqHead = cqHead;
            cqHeadStores++;
            INT.setRelease(cqRing, cqHeadOffset, cqHead);
        }
    }

    /** The CQ head as the kernel sees it; tests only. */
    int kernelCqHead() {
        return (int) INT.getAcquire(cqRing, cqHeadOffset);
    }

    /** CQ head stores so far; tests only. */
    long cqHeadStores() {
        return cqHeadStores;
    }

    /** io_uring_register; returns 0 or a negative errno. */
    int register(int opcode, long argument, int count) {
        long result = LibC.syscall(LibC.SYS_IO_URING_REGISTER, fd, opcode, argument, count, 0, 0);
        return result < 0 ? -LibC.errno() : (int) result;
    }

    /** The setup flags in words, for toString. */
    String setupName() {
        return deferTaskrun ? "SINGLE_ISSUER|DEFER_TASKRUN" : "COOP_TASKRUN";
    }

    /** Unmaps the rings and closes the ring's file descriptor; a second call does nothing. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibC.munmap(sqesAddress, sqesSize);
        if (cqRingSize != 0) {
            LibC.munmap(cqRingAddress, cqRingSize);
        }
        LibC.munmap(sqRingAddress, sqRingSize);
        LibC.close(fd);
        NativeMemory.free(waitArgument);
    }
}
