// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every block of native memory the completion loop allocates goes through here, so that a test
 * can prove the loop gives all of it back ({@link #outstandingBytes()} returns to its baseline).
 *
 * <p>Blocks are freed explicitly with {@link #free}; the caller must hold a strong reference to
 * the {@link Memory} for as long as the kernel may touch it (JNA would otherwise free it when
 * the object becomes unreachable).
 *
 * <p>Thread-safe.
 */
public final class NativeMemory {

    private static final AtomicLong BYTES = new AtomicLong();
    private static final AtomicLong BLOCKS = new AtomicLong();

    private NativeMemory() {
    }

    /** Allocates {@code size} zeroed bytes. */
    public static Memory allocate(long size) {
        Memory memory = new Memory(size);
        memory.clear();
        BYTES.addAndGet(size);
        BLOCKS.incrementAndGet();
        return memory;
    }

    /** Frees a block from {@link #allocate}; {@code null} or an already freed block is ignored. */
    public static void free(Memory memory) {
        if (memory != null && memory.valid()) {
            BYTES.addAndGet(-memory.size());
            BLOCKS.decrementAndGet();
            memory.close();
        }
    }

    /** The address of a block, for the kernel. */
    public static long address(Pointer memory) {
        return Pointer.nativeValue(memory);
    }

    /** A native-order view of a whole block. */
    public static ByteBuffer view(Memory memory) {
        return memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
    }

    /** Bytes allocated and not yet freed, in this JVM. */
    public static long outstandingBytes() {
        return BYTES.get();
    }

    /** Blocks allocated and not yet freed, in this JVM. */
    public static long outstandingBlocks() {
        return BLOCKS.get();
    }
}
