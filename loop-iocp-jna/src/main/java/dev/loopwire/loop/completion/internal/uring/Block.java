// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import dev.loopwire.loop.NativeBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A {@link NativeBlock} on Java-owned direct memory ({@link ByteBuffer#allocateDirect}): the
 * memory is freed by the garbage collector only once nothing references it, so neither a view
 * kept by a user nor a late kernel write can touch freed memory as long as the loop holds the
 * block while the kernel may use it.
 *
 * <p>{@link #pins} counts the operations in flight that name the block and the live blocks that
 * point to it; {@link #close()} releases the block (drops it from the loop's counter and lets go
 * of what it points to) only when that count is zero, else at the last {@link #unpin()}.
 *
 * <p>Loop thread only.
 */
final class Block implements NativeBlock {

    final LoopUringPort port;
    final Registration owner;
    final long address;
    private final int size;
    private final ByteBuffer memory;
    private final ByteBuffer view;
    private int pins;
    private boolean closed;
    private boolean released;
    private int[] refAt = new int[0];
    private Object[] refTo = new Object[0];
    private int refCount;

    Block(LoopUringPort port, Registration owner, int size) {
        this.port = port;
        this.owner = owner;
        this.size = size;
        memory = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        view = memory.duplicate().order(ByteOrder.nativeOrder());
        address = LoopUringPort.baseAddress(memory);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public ByteBuffer buffer() {
        port.checkThread("NativeBlock.buffer");
        return view;
    }

    @Override
    public void putAddress(int at, NativeBlock target, int offset) {
        port.checkThread("NativeBlock.putAddress");
        Block block = port.checkBlock(target, "putAddress", -1);
        checkOpen("putAddress", -1);
        block.checkOpen("putAddress target", -1); // a closed block's memory is its owner's no more
        checkSlot(at);
        if (offset < 0 || offset > block.size) {
            throw new IndexOutOfBoundsException("offset '" + offset + "' is outside the target block of "
                    + block.size + " bytes; use 0 to " + block.size);
        }
        memory.putLong(at, block.address + offset);
        if (block != this) { // a block pointing into itself lives exactly as long as itself
            block.pins++;
            remember(at, block);
        } else {
            remember(at, null);
        }
    }

    @Override
    public void putAddress(int at, ByteBuffer direct) {
        port.checkThread("NativeBlock.putAddress");
        Checks.checkDirect(direct, "NativeBlock.putAddress", -1);
        checkOpen("putAddress", -1);
        checkSlot(at);
        memory.putLong(at, port.address(direct));
        remember(at, direct);
    }

    private void checkSlot(int at) {
        if (at < 0 || at > size - 8) {
            throw new IndexOutOfBoundsException("address slot '" + at + "' does not fit an 8-byte address in a block of "
                    + size + " bytes; use 0 to " + (size - 8));
        }
    }

    /** Keeps {@code target} for slot {@code at}, letting go of what the slot held before. */
    private void remember(int at, Object target) {
        for (int i = 0; i < refCount; i++) {
            if (refAt[i] == at) {
                Object old = refTo[i];
                refTo[i] = target;
                if (old instanceof Block) {
                    ((Block) old).unpin();
                }
                return;
            }
        }
        if (target == null) {
            return;
        }
        if (refCount == refAt.length) {
            refAt = Arrays.copyOf(refAt, Math.max(4, refCount * 2));
            refTo = Arrays.copyOf(refTo, refAt.length);
        }
        refAt[refCount] = at;
        refTo[refCount++] = target;
    }

    void checkOpen(String field, int opcode) {
        if (!isOpen()) {
            String use = Checks.use(field, opcode);
            throw new IllegalStateException("NativeBlock of " + size + " bytes from registration '" + owner.describe()
                    + "' is closed" + (closed ? "" : " (its registration closed)") + ": " + use
                    + " needs an open block; allocate a new one from an open registration");
        }
    }

    @Override
    public boolean isOpen() {
        return !closed && owner.isOpen();
    }

    /** An operation in flight names the block. */
    void pin() {
        pins++;
    }

    void unpin() {
        pins--;
        if (closed && pins == 0) {
            release();
        }
    }

    boolean isPinned() {
        return pins > 0;
    }

    @Override
    public void close() {
        port.checkThread("NativeBlock.close");
        if (!closed) {
            owner.forget(this);
        }
        closeOnLoop();
    }

    void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        if (pins == 0) {
            release();
        }
    }

    /** Lets go of the memory (for the garbage collector) and of what it points to. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        port.released(this, size);
        Object[] targets = refTo;
        int count = refCount;
        refTo = new Object[0];
        refAt = new int[0];
        refCount = 0;
        for (int i = 0; i < count; i++) {
            if (targets[i] instanceof Block) {
                ((Block) targets[i]).unpin();
            }
        }
    }

    boolean isReleased() {
        return released;
    }

    @Override
    public String toString() {
        return "NativeBlock[" + size + " bytes, pins=" + pins + (closed ? " closed" : "") + "]";
    }
}
