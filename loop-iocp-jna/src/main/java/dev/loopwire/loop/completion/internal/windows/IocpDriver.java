// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static dev.loopwire.loop.completion.internal.windows.WinLayout.ENTRY_BYTES;
import static dev.loopwire.loop.completion.internal.windows.WinLayout.ENTRY_KEY;
import static dev.loopwire.loop.completion.internal.windows.WinLayout.ENTRY_OVERLAPPED;
import static dev.loopwire.loop.completion.internal.windows.WinLayout.ENTRY_SIZE;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.loopwire.loop.completion.internal.NativeMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Windows completion port of a completion backend: Winsock started, one I/O completion
 * port, its wake-ups, and the dequeuing of completions, which it hands to the raw
 * {@code IocpPort} ({@link RawCompletions}). It owns no socket: every handle is a registration
 * of the raw capability.
 *
 * <p><b>Lifecycle.</b> {@link #open} starts Winsock and creates the port; {@link #close()} waits
 * (bounded) while the raw port says the system still owns operations, closes the port and stops
 * Winsock.
 *
 * <p><b>Thread-safety.</b> One owner thread (the loop thread) calls everything except
 * {@link #wakeup()}, which is safe from any thread and coalesces: a wake-up already queued and
 * not yet consumed by {@link #poll} is not posted again.
 */
public final class IocpDriver implements AutoCloseable {

    /**
     * Receives the completions dequeued under keys from {@link LoopIocpPort#KEY_BASE}: those of
     * the raw {@code IocpPort}'s registrations.
     */
    interface RawCompletions {

        /** @return whether the completion matched an operation in flight */
        boolean completed(long key, long overlapped, int bytes);
    }

    /** The completion key of wake-ups. */
    static final long WAKE_KEY = 0;

    private static final System.Logger LOG = System.getLogger(IocpDriver.class.getName());
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    // Scratch block of the poll: the entry count.
    private static final int S_REMOVED = 0;
    private static final int S_SIZE = 16;

    private final WinApi api;
    private final long port;
    private final int capacity;
    private final Memory entries;
    private final long entriesAddress;
    private final ByteBuffer entryView;
    private final Memory scratch;
    private final long scratchAddress;
    private final ByteBuffer scratchView;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Object portLock = new Object();
    private volatile boolean closed;
    private RawCompletions raw;
    /** How long {@link #close()} waits for the system to finish what it still owns; tests shorten it. */
    long closeWaitNanos = CLOSE_WAIT_NANOS;

    private IocpDriver(WinApi api, long port, int capacity, Memory entries, Memory scratch) {
        this.api = api;
        this.port = port;
        this.capacity = capacity;
        this.entries = entries;
        this.entriesAddress = Pointer.nativeValue(entries);
        this.entryView = entries.getByteBuffer(0, entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        this.scratch = scratch;
        this.scratchAddress = Pointer.nativeValue(scratch);
        this.scratchView = scratch.getByteBuffer(0, scratch.size()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Starts Winsock 2.2 and creates a completion port.
     *
     * @param maxCompletionsPerPoll how many completions one {@link #poll} may dequeue, 1 to 4096
     * @throws IOException if Winsock or the port cannot be set up
     * @throws IllegalArgumentException if the count is out of range
     */
    public static IocpDriver open(int maxCompletionsPerPoll) throws IOException {
        return open(WinApi.NATIVE, maxCompletionsPerPoll);
    }

    /** {@link #open(int)} on the given API; tests pass a simulated one. */
    static IocpDriver open(WinApi api, int maxCompletionsPerPoll) throws IOException {
        if (maxCompletionsPerPoll < 1 || maxCompletionsPerPoll > 4096) {
            throw new IllegalArgumentException("maxCompletionsPerPoll '" + maxCompletionsPerPoll
                    + "' is out of range; use 1 to 4096");
        }
        Memory wsaData = NativeMemory.allocate(512); // sizeof(WSADATA) is 408 on x64
        try {
            int error = api.WSAStartup(Ws2_32.WINSOCK_2_2, Pointer.nativeValue(wsaData));
            if (error != 0) {
                throw WinsockErrors.exception("WSAStartup", error);
            }
        } finally {
            NativeMemory.free(wsaData);
        }
        long port = api.CreateIoCompletionPort(Kernel32Ex.INVALID_HANDLE_VALUE, 0, 0, 1);
        if (port == 0) {
            int error = api.lastError();
            api.WSACleanup();
            throw WinsockErrors.exception("CreateIoCompletionPort", error);
        }
        Memory entries = NativeMemory.allocate((long) maxCompletionsPerPoll * ENTRY_SIZE);
        Memory scratch = NativeMemory.allocate(S_SIZE);
        return new IocpDriver(api, port, maxCompletionsPerPoll, entries, scratch);
    }

    /**
     * Waits up to {@code timeoutMillis} for completions and hands each to the raw port. Returns
     * early on {@link #wakeup()}.
     *
     * @param timeoutMillis 0 to poll, -1 to wait without limit
     * @return the number of operation completions handed out (wake-ups are not counted)
     * @throws IOException if the port itself fails
     * @throws RuntimeException the first one the raw port threw, after every dequeued completion
     *     has still been handed out
     */
    public int poll(int timeoutMillis) throws IOException {
        checkOpen();
        RuntimeException failure = null;
        int handled = 0;
        if (api.GetQueuedCompletionStatusEx(port, entriesAddress, capacity, scratchAddress + S_REMOVED,
                timeoutMillis, 0) == 0) {
            int error = api.lastError();
            if (error != Kernel32Ex.WAIT_TIMEOUT) {
                throw WinsockErrors.exception("GetQueuedCompletionStatusEx", error);
            }
        } else {
            int removed = scratchView.getInt(S_REMOVED);
            for (int i = 0; i < removed; i++) {
                try {
                    if (dispatch(i * ENTRY_SIZE)) {
                        handled++;
                    }
                } catch (RuntimeException e) {
                    failure = add(failure, e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return handled;
    }

    private boolean dispatch(int entry) {
        long key = entryView.getLong(entry + ENTRY_KEY);
        long overlapped = entryView.getLong(entry + ENTRY_OVERLAPPED);
        int bytes = entryView.getInt(entry + ENTRY_BYTES);
        if (key == WAKE_KEY && overlapped == 0) {
            wakePending.set(false);
            return false;
        }
        if (key >= LoopIocpPort.KEY_BASE && raw != null && raw.completed(key, overlapped, bytes)) {
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "Ignored a completion with key " + key + " and OVERLAPPED 0x"
                + Long.toHexString(overlapped) + " that matches no operation in flight");
        return false;
    }

    /** Makes a {@link #poll} in progress, or the next one, return; safe from any thread. */
    public void wakeup() {
        if (!wakePending.compareAndSet(false, true)) {
            return;
        }
        synchronized (portLock) {
            // The port handle value could be reused by another object once closed.
            if (closed) {
                return;
            }
            if (api.PostQueuedCompletionStatus(port, 0, WAKE_KEY, 0) == 0) {
                wakePending.set(false);
                LOG.log(System.Logger.Level.WARNING, "PostQueuedCompletionStatus failed: "
                        + WinsockErrors.describe(api.lastError()));
            }
        }
    }

    /** Where completions under the raw port's keys go. */
    void rawCompletions(RawCompletions completions) {
        raw = completions;
    }

    /** The completion port handle, for associations and posts. */
    long port() {
        return port;
    }

    WinApi api() {
        return api;
    }

    /** Closes the port and stops Winsock; a second call is a no-op. */
    @Override
    public void close() {
        close(() -> false);
    }

    /**
     * {@link #close()}, draining first while {@code rawBusy} says the raw port still has
     * operations the system owns (their completions go to the {@link RawCompletions}, which
     * then only releases memory), for at most 5 seconds.
     */
    void close(java.util.function.BooleanSupplier rawBusy) {
        if (closed) {
            return;
        }
        long deadline = System.nanoTime() + closeWaitNanos;
        try {
            while (rawBusy.getAsBoolean() && System.nanoTime() - deadline < 0) {
                poll(100);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Draining completions on close failed", e);
        }
        synchronized (portLock) {
            closed = true;
            api.CloseHandle(port);
        }
        NativeMemory.free(entries);
        NativeMemory.free(scratch);
        api.WSACleanup();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("IOCP driver is closed");
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public String toString() {
        return "iocp[port" + (closed ? " closed" : "") + "]";
    }
}
