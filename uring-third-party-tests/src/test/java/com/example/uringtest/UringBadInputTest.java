// SPDX-License-Identifier: Apache-2.0
package com.example.uringtest;

import static com.example.uringtest.UringLoops.onLoop;
import static com.example.uringtest.UringLoops.port;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input through the public capability: each refused with a typed exception naming the value
 * and the remedy, and the loop still usable afterwards (a NOP still completes).
 */
class UringBadInputTest {

    private EventLoop loop;
    private UringPort port;
    private int[] pipe;

    @BeforeEach
    void open() throws Exception {
        loop = UringLoops.open();
        port = port(loop);
        pipe = port.posix().pipe(0);
    }

    @AfterEach
    void close() throws Exception {
        assertLoopStillWorks();
        loop.close();
        port.posix().close(pipe[0]);
        port.posix().close(pipe[1]);
        assertThat(port.allocatedBytes(), is(0L));
    }

    private void assertLoopStillWorks() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        CompletableFuture<Integer> nop = handler.completion(99);
        UringRegistration r = onLoop(loop, () -> port.register(-1, handler));
        onLoop(loop, () -> r.prepare(UringPort.OP_NOP).tag(99).submit());
        assertThat(nop.get(10, TimeUnit.SECONDS), is(0));
    }

    @Test
    void aHeapBufferIsRefused() throws Exception {
        UringRegistration r = onLoop(loop, () -> port.register(pipe[1], new RecordingHandler()));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> onLoop(loop, () -> r.prepare(UringPort.OP_WRITE).addr(ByteBuffer.allocate(4)).submit()));
        assertThat(refused.getMessage(), is("Heap ByteBuffer 'java.nio.HeapByteBuffer[pos=0 lim=4 cap=4]' given as "
                + "addr of WRITE (23): the kernel needs memory the loop can pin; use ByteBuffer.allocateDirect(...) or "
                + "a block from UringRegistration.allocate(...)"));
        assertThat(onLoop(loop, () -> r.inflight()), is(0));
    }

    @Test
    void aBlockOfAClosedRegistrationIsRefused() throws Exception {
        RecordingHandler first = new RecordingHandler();
        NativeBlock block = onLoop(loop, () -> {
            UringRegistration r = port.register(-1, first);
            NativeBlock b = r.allocate(16);
            r.close();
            return b;
        });
        first.unregistered.get(10, TimeUnit.SECONDS);
        UringRegistration second = onLoop(loop, () -> port.register(pipe[0], new RecordingHandler()));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> onLoop(loop, () -> second.prepare(UringPort.OP_READ).addr(block, 0).len(16).submit()));
        assertThat(refused.getMessage(), startsWith("NativeBlock of 16 bytes from registration 'no fd #"));
        assertThat(refused.getMessage().endsWith("' is closed: addr of READ (22) needs an open block; allocate a "
                + "new one from an open registration"), is(true));
    }

    @Test
    void callsFromAnotherThreadAreRefused() throws Exception {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> port.register(pipe[0], new RecordingHandler()));
        assertThat(refused.getMessage(), is("UringPort.register called from thread '"
                + Thread.currentThread().getName() + "'; UringPort runs on the thread of loop '" + loop.name()
                + "' only: hand the work over with loop.execute(...)"));
        UringRegistration r = onLoop(loop, () -> port.register(pipe[0], new RecordingHandler()));
        IllegalStateException prepare = assertThrows(IllegalStateException.class, () -> r.prepare(UringPort.OP_NOP));
        assertThat(prepare.getMessage(), startsWith("UringRegistration.prepare called from thread '"));
        // The loop's one submission writer, leaked to another thread, refuses it too.
        dev.loopwire.loop.UringSubmission writer = onLoop(loop, () -> r.prepare(UringPort.OP_NOP));
        IllegalStateException setter = assertThrows(IllegalStateException.class, () -> writer.tag(1));
        assertThat(setter.getMessage(), startsWith("UringSubmission called from thread '"));
        assertThrows(IllegalStateException.class, writer::submit);
    }

    @Test
    void anOpcodeTheKernelLacksIsRefusedWithWhatSupportsSaid() throws Exception {
        int lacking = 255;
        assertThat(port.supports(lacking), is(false));
        assertThat(port.supports(UringPort.OP_READ), is(true));
        UringRegistration r = onLoop(loop, () -> port.register(-1, new RecordingHandler()));
        UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                () -> onLoop(loop, () -> r.prepare(lacking)));
        assertThat(refused.getMessage(), is("io_uring opcode 255 is not supported by this kernel ("
                + System.getProperty("os.version") + "): supports(255) returned false; check "
                + "UringPort.supports(opcode) first and fall back to another operation"));
        UnsupportedOperationException reserved = assertThrows(UnsupportedOperationException.class,
                () -> onLoop(loop, () -> r.prepare(14)));
        assertThat(reserved.getMessage(), is("ASYNC_CANCEL (14) is reserved to the loop, which tracks operation ids; "
                + "cancel with UringRegistration.cancel(operationId)"));
    }

    @Test
    void anFdIsRegisteredOnce() throws Exception {
        onLoop(loop, () -> port.register(pipe[0], new RecordingHandler()));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> onLoop(loop, () -> port.register(pipe[0], new RecordingHandler())));
        assertThat(refused.getMessage(), is("fd '" + pipe[0] + "' is already registered on loop '" + loop.name()
                + "'; close that registration first (register an fd once)"));
        IllegalStateException close = assertThrows(IllegalStateException.class, () -> port.posix().close(pipe[0]));
        assertThat(close.getMessage(), is("fd '" + pipe[0] + "' is still registered with loop '" + loop.name()
                + "'; close its registration and close the fd in UringHandler.unregistered"));
    }

    @Test
    void theLoopsOwnDescriptorsAreNeverACallersToTouch() throws Exception {
        // The loop's io_uring and eventfd are among the descriptors this process has open; find
        // them the way an adversary would, by trying every descriptor listed in /proc/self/fd.
        java.util.List<Integer> refused = new java.util.ArrayList<>();
        for (String target : UringLoops.fdTargets()) {
            int fd = Integer.parseInt(target.substring(0, target.indexOf("->")));
            if (target.contains("io_uring") || target.contains("eventfd")) {
                try {
                    onLoop(loop, () -> port.register(fd, new RecordingHandler()));
                } catch (IllegalArgumentException e) {
                    if (!e.getMessage().startsWith("fd '" + fd + "' is loop '" + loop.name() + "''s own")) {
                        // another loop open in this JVM: its fds are refused too (JVM-wide, finding 1)
                        assertThat(e.getMessage(), startsWith("fd '" + fd + "' is loop '"));
                        continue;
                    }
                    IllegalArgumentException close = assertThrows(IllegalArgumentException.class,
                            () -> port.posix().close(fd));
                    assertThat(close.getMessage(), is(e.getMessage().replace("registered", "closed")));
                    refused.add(fd);
                }
            }
        }
        assertThat("the loop's ring and its eventfd: " + refused, refused.size(), is(2));
        UringRegistration r = onLoop(loop, () -> port.register(-1, new RecordingHandler()));
        int ring = refused.get(0);
        IllegalArgumentException target = assertThrows(IllegalArgumentException.class,
                () -> onLoop(loop, () -> r.prepare(UringPort.OP_READ).fd(ring).submit()));
        assertThat(target.getMessage(), startsWith("fd '" + ring + "' is loop '"));
    }

    @Test
    void aSubmissionAfterUnregisteredIsRefused() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        UringRegistration r = onLoop(loop, () -> port.register(pipe[0], handler));
        onLoop(loop, () -> {
            r.close();
            return null;
        });
        handler.unregistered.get(10, TimeUnit.SECONDS);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> onLoop(loop, () -> r.prepare(UringPort.OP_READ)));
        assertThat(refused.getMessage(), is("Registration 'fd " + pipe[0] + "' is closed (unregistered() ran); "
                + "cannot submit READ (22): register the fd again with UringPort.register"));
        // The fd is free again once unregistered() ran.
        onLoop(loop, () -> port.register(pipe[0], new RecordingHandler()));
    }

    @Test
    void memoryAndFlagsTheLoopCannotHonourAreRefused() throws Exception {
        UringRegistration r = onLoop(loop, () -> port.register(pipe[0], new RecordingHandler()));
        IllegalArgumentException readOnly = assertThrows(IllegalArgumentException.class, () -> onLoop(loop,
                () -> r.prepare(UringPort.OP_READ).addr(ByteBuffer.allocateDirect(8).asReadOnlyBuffer())));
        assertThat(readOnly.getMessage(), is("Read-only buffer given as the memory READ (22) writes into; pass a "
                + "writable direct buffer"));
        IllegalArgumentException skip = assertThrows(IllegalArgumentException.class, () -> onLoop(loop,
                () -> r.prepare(UringPort.OP_NOP).flags(UringPort.SQE_CQE_SKIP_SUCCESS).submit()));
        assertThat(skip.getMessage(), is("SQE flag SQE_CQE_SKIP_SUCCESS ('0x40') is refused: the loop needs every "
                + "final completion to unpin memory; drop the flag"));
        IllegalArgumentException select = assertThrows(IllegalArgumentException.class, () -> onLoop(loop,
                () -> r.prepare(UringPort.OP_READ).flags(UringPort.SQE_BUFFER_SELECT).submit()));
        assertThat(select.getMessage(), is("SQE_BUFFER_SELECT set without a buffer group on READ (22); select "
                + "buffers with bufferGroup(port.bufferGroup(size))"));
        IllegalArgumentException noMemory = assertThrows(IllegalArgumentException.class, () -> onLoop(loop,
                () -> r.prepare(UringPort.OP_READ).len(16).submit()));
        assertThat(noMemory.getMessage(), is("READ (22) of len '16' names no memory; give it a block or a direct "
                + "buffer with addr(...)"));
        // A block of another loop is not this loop's to pin.
        try (EventLoop other = UringLoops.open()) {
            UringPort otherPort = port(other);
            NativeBlock foreign = onLoop(other, () -> otherPort.register(-1, new RecordingHandler()).allocate(8));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> onLoop(loop,
                    () -> r.prepare(UringPort.OP_READ).addr(foreign, 0)));
            assertThat(refused.getMessage(), is("NativeBlock 'NativeBlock[8 bytes, pins=0]' given as addr of READ (22) "
                    + "was not allocated on loop '" + loop.name() + "'; allocate it from a registration of this loop"));
        }
        assertThat(onLoop(loop, () -> r.inflight()), is(0));
    }

    @Test
    void aLengthPastTheMemoryIsRefused() throws Exception {
        UringRegistration r = onLoop(loop, () -> port.register(pipe[0], new RecordingHandler()));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> onLoop(loop,
                () -> r.prepare(UringPort.OP_READ).addr(r.allocate(8), 0).len(9).submit()));
        assertThat(refused.getMessage(), is("READ (22) len '9' exceeds the 8 bytes of memory named by addr; use at most 8"));
    }
}
