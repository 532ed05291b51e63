// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

/**
 * Something that submits SQEs and receives their completions: its {@link #id} is the SQE's
 * {@code user_data}. An op object owns (strongly references) the native memory its operations
 * use, so nothing the kernel may still write to can be freed before its completion has been
 * reaped.
 *
 * <p>The id is {@code generation << 32 | index}: the index finds the op in its backend's table,
 * and the generation, bumped each time an index is given out again, makes sure a late
 * completion of an op that was unregistered never reaches the op that now holds its index
 * (issue #10, item 14).
 *
 * <p>Loop thread only.
 */
abstract class Op {

    /** The op's {@code user_data} while registered with its backend; -1 when not registered. */
    long id = -1;

    /** Called for each completion of this op, on the loop thread. */
    abstract void complete(int result, int flags);
}
