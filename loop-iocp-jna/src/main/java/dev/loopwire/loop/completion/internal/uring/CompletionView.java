// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringPort;
import java.nio.ByteBuffer;

/** The one loop-owned {@link UringCompletion}, refilled for each completion. Loop thread only. */
final class CompletionView implements UringCompletion {

    long operationId;
    int opcode;
    long tag;
    int result;
    int flags;
    int bufferId = -1;
    ByteBuffer buffer;

    @Override
    public long operationId() {
        return operationId;
    }

    @Override
    public int opcode() {
        return opcode;
    }

    @Override
    public long tag() {
        return tag;
    }

    @Override
    public int result() {
        return result;
    }

    @Override
    public int flags() {
        return flags;
    }

    @Override
    public boolean hasMore() {
        return (flags & UringPort.CQE_F_MORE) != 0;
    }

    @Override
    public boolean isNotification() {
        return (flags & UringPort.CQE_F_NOTIF) != 0;
    }

    @Override
    public boolean isFinal() {
        return !hasMore();
    }

    @Override
    public int bufferId() {
        return bufferId;
    }

    @Override
    public ByteBuffer buffer() {
        return buffer;
    }

    @Override
    public String toString() {
        return "UringCompletion[op=" + Opcodes.name(opcode) + " tag=" + tag + " res=" + result + " flags=0x"
                + Integer.toHexString(flags) + "]";
    }
}
