// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringRegistration;
import dev.loopwire.loop.UringSubmission;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link UringRegistration}: the handler, the operations in flight (an intrusive list of
 * {@link UserOp}s) and the blocks it allocated.
 *
 * <p>States: open, then closing (every operation cancelled, waiting for the last completion),
 * then unregistered (the handler was told; the fd is free to register again).
 *
 * <p>Loop thread only.
 */
final class Registration implements UringRegistration {

    enum State { OPEN, CLOSING, UNREGISTERED }

    final LoopUringPort port;
    final int fd;
    final UringHandler handler;
    State state = State.OPEN;
    boolean finishQueued;
    private final List<Block> blocks = new ArrayList<>();
    private UserOp first;
    private int inflight;

    Registration(LoopUringPort port, int fd, UringHandler handler) {
        this.port = port;
        this.fd = fd;
        this.handler = handler;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public UringSubmission prepare(int opcode) {
        port.checkThread("UringRegistration.prepare");
        checkSubmittable(opcode);
        Checks.checkOpcode(opcode);
        return port.writer().start(this, opcode);
    }

    void checkSubmittable(int opcode) {
        if (state != State.OPEN) {
            throw new IllegalStateException("Registration '" + describe() + "' is "
                    + (state == State.CLOSING ? "closing" : "closed (unregistered() ran)") + "; cannot submit "
                    + Opcodes.name(opcode) + ": register the fd again with UringPort.register");
        }
    }

    @Override
    public boolean cancel(long operationId) {
        port.checkThread("UringRegistration.cancel");
        UserOp op = port.userOp(operationId);
        if (op == null || op.registration != this) {
            return false;
        }
        port.cancel(op);
        return true;
    }

    @Override
    public void cancelAll() {
        port.checkThread("UringRegistration.cancelAll");
        cancelInFlight();
    }

    private void cancelInFlight() {
        for (UserOp op = first; op != null; op = op.next) {
            port.cancel(op);
        }
    }

    @Override
    public int inflight() {
        return inflight;
    }

    @Override
    public NativeBlock allocate(int size) {
        port.checkThread("UringRegistration.allocate");
        if (size <= 0) {
            throw new IllegalArgumentException("Block size '" + size + "' is not positive; ask for at least 1 byte");
        }
        if (state != State.OPEN) {
            throw new IllegalStateException("Registration '" + describe() + "' is closed; allocate from an open registration");
        }
        Block block = new Block(port, this, size);
        port.allocated(size);
        blocks.add(block);
        return block;
    }

    @Override
    public boolean isOpen() {
        return state == State.OPEN;
    }

    @Override
    public void close() {
        port.checkThread("UringRegistration.close");
        closeOnLoop();
    }

    void closeOnLoop() {
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSING;
        cancelInFlight();
        if (inflight == 0) {
            port.finishLater(this);
        }
    }

    void started(UserOp op) {
        op.next = first;
        if (first != null) {
            first.previous = op;
        }
        first = op;
        inflight++;
    }

    /** The operation's final completion was handled. */
    void ended(UserOp op) {
        if (op.previous != null) {
            op.previous.next = op.next;
        } else {
            first = op.next;
        }
        if (op.next != null) {
            op.next.previous = op.previous;
        }
        inflight--;
        if (state == State.CLOSING && inflight == 0) {
            port.finishLater(this);
        }
    }

    /** Closes the blocks (each released once no operation pins it); unregistered() follows. */
    void closeBlocks() {
        for (Block block : blocks) {
            block.closeOnLoop();
        }
        blocks.clear();
    }

    /** The caller closed {@code block} itself. */
    void forget(Block block) {
        blocks.remove(block);
    }

    String describe() {
        return fd >= 0 ? "fd " + fd : "no fd #" + System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "UringRegistration[" + describe() + " " + state + " inflight=" + inflight + "]";
    }
}
