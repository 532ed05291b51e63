// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

/**
 * One operation submitted through the public {@code UringPort}: it pins the memory the operation
 * names until its final completion, and links into its registration's list of operations in
 * flight. Pooled by {@link LoopUringPort}, so steady-state submissions allocate nothing; each
 * use gets a fresh id (a new generation) from the backend.
 *
 * <p>Loop thread only.
 */
final class UserOp extends Op {

    final LoopUringPort port;
    Registration registration;
    int opcode;
    long tag;
    Object memory1;
    Object memory2;
    Object memory3;
    ProvidedGroup group;
    /** A provided buffer this operation names (an echo), recycled at its final completion. */
    ProvidedGroup heldGroup;
    int heldBuffer = -1;
    boolean cancelRequested;
    UserOp previous;
    UserOp next;

    UserOp(LoopUringPort port) {
        this.port = port;
    }

    @Override
    void complete(int result, int flags) {
        port.completed(this, result, flags);
    }

    /** Lets go of what the operation pinned. */
    void unpinAll() {
        unpin(memory1);
        unpin(memory2);
        unpin(memory3);
        memory1 = null;
        memory2 = null;
        memory3 = null;
        group = null;
        if (heldGroup != null) {
            heldGroup.recycle(heldBuffer);
            heldGroup = null;
            heldBuffer = -1;
        }
        registration = null;
        cancelRequested = false;
        previous = null;
        next = null;
    }

    private static void unpin(Object memory) {
        if (memory instanceof Block) {
            ((Block) memory).unpin();
        }
    }
}
