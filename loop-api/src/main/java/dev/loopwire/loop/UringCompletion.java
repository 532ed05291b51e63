package dev.loopwire.loop;

import java.nio.ByteBuffer;

/**
 * One completion of an io_uring operation, as handed to {@link UringHandler#complete}.
 *
 * <p><b>Lifecycle.</b> Loop-owned and reused for every completion: valid during the handler
 * call only. A {@linkplain #buffer() provided buffer} goes back to its group when the call
 * returns.
 *
 * <p><b>Concurrency.</b> Loop thread only.
 */
public interface UringCompletion {

    /** The id {@link UringSubmission#submit()} returned for the operation. */
    long operationId();

    /** The operation's opcode. */
    int opcode();

    /** The caller's {@link UringSubmission#tag(long) tag}. */
    long tag();

    /** The kernel's {@code res}: a count or value, or a negative errno. */
    int result();

    /** The kernel's CQE flags ({@link UringPort#CQE_F_MORE} and the others). */
    int flags();

    /** Whether more completions of this operation will follow ({@code F_MORE}). */
    boolean hasMore();

    /** Whether this is a zero-copy send's notification ({@code F_NOTIF}). */
    boolean isNotification();

    /**
     * Whether this is the operation's final completion: after it the operation's memory is
     * unpinned and its id no longer valid.
     */
    boolean isFinal();

    /** The id of the provided buffer the kernel filled, or {@code -1} if none. */
    int bufferId();

    /**
     * The provided buffer the kernel filled, from 0 to the bytes received (when
     * {@link #result()} is positive), or {@code null} if none. Java-owned memory: a view kept
     * past the call may later show other bytes, but never crashes the JVM.
     */
    ByteBuffer buffer();
}
