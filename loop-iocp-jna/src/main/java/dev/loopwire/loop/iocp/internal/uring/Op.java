package dev.loopwire.loop.iocp.internal.uring;

/**
 * Something that submits SQEs and receives their completions: its {@link #id} is the SQE's
 * {@code user_data}. An op object is created once and reused, and owns (strongly references)
 * the native memory its operations use, so nothing the kernel may still write to can be freed
 * before its completion has been reaped.
 *
 * <p>Loop thread only.
 */
abstract class Op {

    /** The op's index in its backend's table; -1 when not registered. */
    int id = -1;

    /** Called for each completion of this op, on the loop thread. */
    abstract void complete(int result, int flags);
}
