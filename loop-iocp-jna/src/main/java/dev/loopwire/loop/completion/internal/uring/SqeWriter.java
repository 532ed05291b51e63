// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.SubmissionQueueFullException;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringSubmission;
import java.nio.ByteBuffer;

/**
 * The loop's one reusable {@link UringSubmission}: fields are kept in Java until
 * {@link #submit()}, which claims an SQE, pins the memory named and writes the entry. Nothing
 * is allocated on the way.
 *
 * <p>Loop thread only.
 */
final class SqeWriter implements UringSubmission {

    private static final int NO_EXTENT = -1;

    private final LoopUringPort port;
    private Registration registration;
    private boolean active;
    private int opcode;
    private int flags;
    private int ioprio;
    private int fd;
    private long off;
    private long addr;
    private int len;
    private int opFlags;
    private int bufIndex;
    private int personality;
    private int word44;
    private long addr3;
    private long tag;
    private Object memory1;
    private Object memory2;
    private Object memory3;
    private int extent1;
    private ProvidedGroup group;

    SqeWriter(LoopUringPort port) {
        this.port = port;
    }

    SqeWriter start(Registration registration, int opcode) {
        this.registration = registration;
        this.opcode = opcode;
        flags = 0;
        ioprio = 0;
        fd = registration.fd;
        off = 0;
        addr = 0;
        len = 0;
        opFlags = 0;
        bufIndex = 0;
        personality = 0;
        word44 = 0;
        addr3 = 0;
        tag = 0;
        memory1 = null;
        memory2 = null;
        memory3 = null;
        extent1 = NO_EXTENT;
        group = null;
        active = true;
        return this;
    }

    private void checkActive() {
        port.checkThread("UringSubmission"); // the writer is shared: another thread must never touch it
        if (!active) {
            throw new IllegalStateException("This UringSubmission was already submitted or abandoned; "
                    + "start each operation with UringRegistration.prepare(opcode)");
        }
    }

    @Override
    public UringSubmission flags(int sqeFlags) {
        checkActive();
        flags = sqeFlags & 0xff;
        return this;
    }

    @Override
    public UringSubmission ioprio(int value) {
        checkActive();
        ioprio = value & 0xffff;
        return this;
    }

    @Override
    public UringSubmission fd(int value) {
        checkActive();
        fd = value;
        return this;
    }

    @Override
    public UringSubmission offset(long offset) {
        checkActive();
        off = offset;
        memory2 = null;
        return this;
    }

    @Override
    public UringSubmission addr2(NativeBlock block, int offset) {
        checkActive();
        Block b = memoryBlock(block, offset, "addr2");
        off = b.address + offset;
        memory2 = b;
        return this;
    }

    @Override
    public UringSubmission addr2(ByteBuffer direct) {
        checkActive();
        Checks.checkDirect(direct, "addr2", opcode);
        off = port.address(direct);
        memory2 = direct;
        return this;
    }

    @Override
    public UringSubmission addr(NativeBlock block, int offset) {
        checkActive();
        Block b = memoryBlock(block, offset, "addr");
        addr = b.address + offset;
        memory1 = b;
        extent1 = b.size() - offset;
        return this;
    }

    @Override
    public UringSubmission addr(ByteBuffer direct) {
        checkActive();
        Checks.checkDirect(direct, "addr", opcode);
        if (direct.isReadOnly() && writesToAddr(opcode)) {
            throw new IllegalArgumentException("Read-only buffer given as the memory " + Opcodes.name(opcode)
                    + " writes into; pass a writable direct buffer");
        }
        addr = port.address(direct);
        memory1 = direct;
        extent1 = direct.remaining();
        len = extent1;
        return this;
    }

    @Override
    public UringSubmission spliceOffsetIn(long offset) {
        checkActive();
        addr = offset;
        memory1 = null;
        extent1 = NO_EXTENT;
        return this;
    }

    @Override
    public UringSubmission len(int length) {
        checkActive();
        len = length;
        return this;
    }

    @Override
    public UringSubmission opFlags(int value) {
        checkActive();
        opFlags = value;
        return this;
    }

    @Override
    public UringSubmission bufferIndex(int index) {
        checkActive();
        bufIndex = index & 0xffff;
        group = null;
        return this;
    }

    @Override
    public UringSubmission bufferGroup(UringBufferGroup bufferGroup) {
        checkActive();
        group = port.checkGroup(bufferGroup);
        bufIndex = group.id();
        flags |= UringPort.SQE_BUFFER_SELECT;
        return this;
    }

    @Override
    public UringSubmission personality(int value) {
        checkActive();
        personality = value & 0xffff;
        return this;
    }

    @Override
    public UringSubmission spliceFdIn(int value) {
        checkActive();
        word44 = value;
        return this;
    }

    @Override
    public UringSubmission addr3(NativeBlock block, int offset) {
        checkActive();
        Block b = memoryBlock(block, offset, "addr3");
        addr3 = b.address + offset;
        memory3 = b;
        return this;
    }

    @Override
    public UringSubmission addr3(ByteBuffer direct) {
        checkActive();
        Checks.checkDirect(direct, "addr3", opcode);
        addr3 = port.address(direct);
        memory3 = direct;
        return this;
    }

    @Override
    public UringSubmission tag(long value) {
        checkActive();
        tag = value;
        return this;
    }

    private Block memoryBlock(NativeBlock block, int offset, String field) {
        Block b = port.checkBlock(block, field, opcode);
        b.checkOpen(field, opcode);
        if (offset < 0 || offset > b.size()) {
            throw new IndexOutOfBoundsException("offset '" + offset + "' is outside the block of " + b.size()
                    + " bytes named as " + field + "; use 0 to " + b.size());
        }
        return b;
    }

    @Override
    public long submit() {
        checkActive();
        port.checkThread("UringSubmission.submit");
        registration.checkSubmittable(opcode);
        check();
        long id = port.submit(this);
        active = false;
        return id;
    }

    /** The checks that need every field: done before anything is claimed. */
    private void check() {
        if ((flags & UringPort.SQE_CQE_SKIP_SUCCESS) != 0) {
            throw new IllegalArgumentException("SQE flag SQE_CQE_SKIP_SUCCESS ('0x" + Integer.toHexString(flags)
                    + "') is refused: the loop needs every final completion to unpin memory; drop the flag");
        }
        if ((flags & UringPort.SQE_BUFFER_SELECT) != 0 && group == null) {
            throw new IllegalArgumentException("SQE_BUFFER_SELECT set without a buffer group on "
                    + Opcodes.name(opcode) + "; select buffers with bufferGroup(port.bufferGroup(size))");
        }
        if (opcode != UringPort.OP_SOCKET) { // there fd is the domain, not a descriptor
            port.checkNotLoopFd(fd, "the target", opcode);
        }
        checkOpen(memory1, "addr");
        checkOpen(memory2, "addr2");
        checkOpen(memory3, "addr3");
        if (isByteRange(opcode) && group == null) {
            if (memory1 == null && len != 0) {
                throw new IllegalArgumentException(Opcodes.name(opcode) + " of len '" + len
                        + "' names no memory; give it a block or a direct buffer with addr(...)");
            }
            if (memory1 != null && (len < 0 || len > extent1)) {
                throw new IllegalArgumentException(Opcodes.name(opcode) + " len '" + len + "' exceeds the "
                        + extent1 + " bytes of memory named by addr; use at most " + extent1);
            }
        }
    }

    private void checkOpen(Object memory, String field) {
        if (memory instanceof Block) {
            ((Block) memory).checkOpen(field, opcode);
        }
    }

    private static boolean isByteRange(int opcode) {
        return opcode == UringPort.OP_READ || opcode == UringPort.OP_WRITE || opcode == UringPort.OP_SEND
                || opcode == UringPort.OP_RECV || opcode == UringPort.OP_SEND_ZC;
    }

    private static boolean writesToAddr(int opcode) {
        return opcode == UringPort.OP_READ || opcode == UringPort.OP_RECV;
    }

    /** Writes the entry at {@code sqe} and hands the operation its memory and identity. */
    void writeTo(ByteBuffer sqes, int sqe, UserOp op) {
        sqes.put(sqe, (byte) opcode);
        sqes.put(sqe + 1, (byte) flags);
        sqes.putShort(sqe + 2, (short) ioprio);
        sqes.putInt(sqe + 4, fd);
        sqes.putLong(sqe + 8, off);
        sqes.putLong(sqe + 16, addr);
        sqes.putInt(sqe + 24, len);
        sqes.putInt(sqe + 28, opFlags);
        sqes.putLong(sqe + 32, op.id);
        sqes.putShort(sqe + 40, (short) bufIndex);
        sqes.putShort(sqe + 42, (short) personality);
        sqes.putInt(sqe + 44, word44);
        sqes.putLong(sqe + 48, addr3);
        op.registration = registration;
        op.opcode = opcode;
        op.tag = tag;
        op.memory1 = pin(memory1);
        op.memory2 = pin(memory2);
        op.memory3 = pin(memory3);
        op.group = group;
        if (port.isDelivered(memory1) || port.isDelivered(memory2) || port.isDelivered(memory3)) {
            port.handOverDelivered(op); // recycled at this operation's final completion, not before
        }
    }

    private static Object pin(Object memory) {
        if (memory instanceof Block) {
            ((Block) memory).pin();
        }
        return memory;
    }

    Registration registration() {
        return registration;
    }

    int opcode() {
        return opcode;
    }
}
