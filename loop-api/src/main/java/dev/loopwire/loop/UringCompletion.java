// SPDX-License-Identifier: Apache-2.0
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

    /**
     * The id {@link UringSubmission#submit()} returned for the operation.
     *
     * @return the operation's id
     */
    long operationId();

    /**
     * The operation's opcode.
     *
     * @return the opcode given to {@link UringRegistration#prepare}
     */
    int opcode();

    /**
     * The caller's {@link UringSubmission#tag(long) tag}.
     *
     * @return the tag given at submission, or 0 if none was set
     */
    long tag();

    /**
     * The kernel's {@code res}: a count or value, or a negative errno.
     *
     * @return the result; for instance bytes received, an accepted fd, or {@code -ECANCELED}
     */
    int result();

    /**
     * The kernel's CQE flags ({@link UringPort#CQE_F_MORE} and the others).
     *
     * @return the {@code UringPort.CQE_F_*} flags, OR-ed
     */
    int flags();

    /**
     * Whether more completions of this operation will follow ({@code F_MORE}).
     *
     * @return {@code true} if the operation stays in flight after this completion
     */
    boolean hasMore();

    /**
     * Whether this is a zero-copy send's notification ({@code F_NOTIF}).
     *
     * @return {@code true} for a {@code SEND_ZC} notification, which carries no result
     */
    boolean isNotification();

    /**
     * Whether this is the operation's final completion: after it the operation's memory is
     * unpinned and its id no longer valid.
     *
     * @return {@code true} for the last completion of the operation
     */
    boolean isFinal();

    /**
     * The id of the provided buffer the kernel filled, or {@code -1} if none.
     *
     * @return the buffer id within its group, or {@code -1}
     */
    int bufferId();

    /**
     * The provided buffer the kernel filled, from 0 to the bytes received (when
     * {@link #result()} is positive), or {@code null} if none. Java-owned memory: a view kept
     * past the call may later show other bytes, but never crashes the JVM.
     *
     * @return a view of the received bytes, meant for the callback only, or {@code null}
     */
    ByteBuffer buffer();
}
