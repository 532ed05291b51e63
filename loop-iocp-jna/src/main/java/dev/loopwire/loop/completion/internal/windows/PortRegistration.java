// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpHandler;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.IocpSubmission;
import dev.loopwire.loop.NativeBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An {@link IocpRegistration}: the handle, its completion key, the handler, the operations in
 * flight (an intrusive list of {@link PortOp}s), the blocks it allocated, and the extension
 * function pointers loaded for its socket.
 *
 * <p>States: open, then closing (every operation cancelled, waiting for the last completion),
 * then unregistered (the handler was told; the handle value is free to associate again).
 *
 * <p>Loop thread only.
 */
final class PortRegistration implements IocpRegistration {

    enum State { OPEN, CLOSING, UNREGISTERED }

    final LoopIocpPort port;
    final long handle;
    final long key;
    final IocpHandler handler;
    State state = State.OPEN;
    boolean finishQueued;
    /** AcceptEx, ConnectEx and DisconnectEx for this socket's provider; 0 until first used. */
    final long[] extensions = new long[3];
    private final List<IocpBlock> blocks = new ArrayList<>();
    private PortOp first;
    private int inflight;

    PortRegistration(LoopIocpPort port, long handle, long key, IocpHandler handler) {
        this.port = port;
        this.handle = handle;
        this.key = key;
        this.handler = handler;
    }

    @Override
    public long handle() {
        return handle;
    }

    @Override
    public IocpSubmission prepare(IocpFunction function) {
        port.checkThread("IocpRegistration.prepare");
        Objects.requireNonNull(function, "function");
        if (function == IocpFunction.POST) {
            throw new IllegalArgumentException("IocpFunction 'POST' is not started through prepare; "
                    + "post a user completion with IocpRegistration.post(bytes, tag)");
        }
        checkSubmittable(function);
        if (handle == IocpPort.NO_HANDLE) {
            throw new IllegalStateException("Registration '" + describe() + "' has no handle, so it cannot start "
                    + function + "; associate the socket or file handle itself, or only post() to this one");
        }
        return port.writer().start(this, function);
    }

    void checkSubmittable(IocpFunction function) {
        if (state != State.OPEN) {
            throw new IllegalStateException("Registration '" + describe() + "' is "
                    + (state == State.CLOSING ? "closing" : "closed (unregistered() ran)") + "; cannot start "
                    + function + ": associate a new handle with IocpPort.associate");
        }
    }

    @Override
    public long post(int bytes, long tag) {
        port.checkThread("IocpRegistration.post");
        checkSubmittable(IocpFunction.POST);
        return port.post(this, bytes, tag);
    }

    @Override
    public boolean cancel(long operationId) {
        port.checkThread("IocpRegistration.cancel");
        PortOp op = port.op(operationId);
        if (op == null || op.registration != this || op.function == IocpFunction.POST) {
            return false;
        }
        port.cancel(op);
        return true;
    }

    @Override
    public void cancelAll() {
        port.checkThread("IocpRegistration.cancelAll");
        cancelInFlight();
    }

    private void cancelInFlight() {
        for (PortOp op = first; op != null; op = op.next) {
            if (op.function != IocpFunction.POST) {
                port.cancel(op);
            }
        }
    }

    @Override
    public int inflight() {
        return inflight;
    }

    @Override
    public NativeBlock allocate(int size) {
        port.checkThread("IocpRegistration.allocate");
        if (size <= 0) {
            throw new IllegalArgumentException("Block size '" + size + "' is not positive; ask for at least 1 byte");
        }
        if (state != State.OPEN) {
            throw new IllegalStateException("Registration '" + describe() + "' is closed; allocate from an open registration");
        }
        IocpBlock block = new IocpBlock(port, this, size);
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
        port.checkThread("IocpRegistration.close");
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

    void started(PortOp op) {
        op.next = first;
        if (first != null) {
            first.previous = op;
        }
        first = op;
        inflight++;
    }

    /** The operation's completion was handled. */
    void ended(PortOp op) {
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
        for (IocpBlock block : blocks) {
            block.closeOnLoop();
        }
        blocks.clear();
    }

    /** The caller closed {@code block} itself. */
    void forget(IocpBlock block) {
        blocks.remove(block);
    }

    String describe() {
        return handle == IocpPort.NO_HANDLE ? "no handle #" + (key - LoopIocpPort.KEY_BASE) : "handle 0x" + Long.toHexString(handle);
    }

    @Override
    public String toString() {
        return "IocpRegistration[" + describe() + " " + state + " inflight=" + inflight + "]";
    }
}
