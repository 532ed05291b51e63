// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static dev.loopwire.loop.completion.internal.windows.PortFixture.ok;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.IocpCompletion;
import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpHandler;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.NativeBlock;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The raw {@code IocpPort}'s promises under attack, against the simulated port: memory pinned
 * until the completion is dequeued, a forced close that leaks instead of freeing, handlers that
 * throw exceptions and errors, and every kind of bad input refused with a typed exception that
 * names the value and the remedy while the port stays usable.
 */
class IocpPortSafetyTest {

    @Test
    void aClosedBlockStaysAllocatedWhileAnOperationPinsItAndIsReleasedAfterTheCompletion() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            registration.post(0, 0); // the first operation allocates the slot pool
            f.turn();
            handler.events.clear();
            long slots = f.port.allocatedBytes();
            NativeBlock block = registration.allocate(100);
            assertThat(f.port.allocatedBytes(), is(slots + 100));
            registration.prepare(IocpFunction.WSA_RECV).buffer(block, 0, 100).submit();
            IocpBlock pinned = (IocpBlock) block;

            block.close();
            f.turn();
            assertThat("pinned by the operation in flight", pinned.isReleased(), is(false));
            assertThat(f.port.allocatedBytes(), is(slots + 100));
            assertThat(f.port.pinned(), is(1));

            f.sim.feed(socket, new byte[10]);
            f.turn();
            assertThat(handler.last(), is(ok(IocpFunction.WSA_RECV, 0, 10)));
            assertThat(pinned.isReleased(), is(true));
            assertThat(f.port.allocatedBytes(), is(slots));
            assertThat(f.port.pinned(), is(0));
        }
    }

    @Test
    void aDirectBufferIsHeldUntilItsCompletionThenLetGo() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            IocpRegistration registration = f.port.associate(socket, new PortFixture.Recorder());
            registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).submit();
            assertThat(f.port.pinned(), is(1));
            registration.cancelAll();
            f.turn();
            assertThat(f.port.pinned(), is(0));
        }
    }

    @Test
    void blocksPointedToByAPinnedBlockOutliveItsOperation() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            IocpRegistration registration = f.port.associate(socket, new PortFixture.Recorder());
            NativeBlock wsabufs = registration.allocate(16);
            NativeBlock data = registration.allocate(32);
            wsabufs.buffer().putInt(0, 32);
            wsabufs.putAddress(8, data, 0);
            registration.prepare(IocpFunction.WSA_RECV).wsabufs(wsabufs, 0, 1).submit();
            data.close();
            wsabufs.close();
            assertThat(((IocpBlock) data).isReleased(), is(false));
            f.sim.feed(socket, new byte[4]);
            f.turn();
            assertThat(((IocpBlock) wsabufs).isReleased(), is(true));
            assertThat(((IocpBlock) data).isReleased(), is(true));
        }
    }

    @Test
    void unregisteringClosesTheRegistrationsBlocks() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            long before = f.port.allocatedBytes();
            NativeBlock block = registration.allocate(64);
            registration.close();
            f.turn();
            assertThat(block.isOpen(), is(false));
            assertThat(f.port.allocatedBytes(), is(before));
        }
    }

    @Test
    void aForcedCloseLeaksWhatTheSystemStillOwnsAndNeverCallsTheHandlerAgain() throws Exception {
        PortFixture f = new PortFixture();
        long socket = f.tcpSocket();
        PortFixture.Recorder handler = new PortFixture.Recorder();
        IocpRegistration registration = f.port.associate(socket, handler);
        NativeBlock block = registration.allocate(100);
        registration.prepare(IocpFunction.WSA_RECV).buffer(block, 0, 100).submit();
        f.turn();
        f.api.ignoreCancel = true; // the system never lets go
        f.backend.driver().closeWaitNanos = TimeUnit.MILLISECONDS.toNanos(50);
        int leakedBefore = LoopIocpPort.leakedPorts();
        long allocated = f.port.allocatedBytes();

        f.close();

        assertThat(LoopIocpPort.leakedPorts(), is(leakedBefore + 1));
        assertThat("nothing was released", f.port.allocatedBytes(), is(allocated));
        assertThat(((IocpBlock) block).isReleased(), is(false));
        assertThat(f.port.inflight(), is(1));
        assertThat("the loop tried to cancel it", f.api.cancels >= 1, is(true));
        assertThat(handler.events.isEmpty(), is(true));
    }

    @Test
    void aCloseWhoseOperationsEndDuringTheDrainLeaksNothing() throws Exception {
        PortFixture f = new PortFixture();
        PortFixture.Recorder handler = new PortFixture.Recorder();
        IocpRegistration registration = f.port.associate(f.tcpSocket(), handler);
        registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).submit();
        int leakedBefore = LoopIocpPort.leakedPorts();
        f.close();
        assertThat(LoopIocpPort.leakedPorts(), is(leakedBefore));
        assertThat(f.port.inflight(), is(0));
        assertThat(f.port.pinned(), is(0));
        assertThat("past the close timeout no handler is called", handler.events.isEmpty(), is(true));
    }

    @Test
    void handlersThatThrowExceptionsAndErrorsLeaveTheLoopRunning() throws Exception {
        try (PortFixture f = new PortFixture()) {
            Throwable[] toThrow = {new IllegalStateException("boom"), new StackOverflowError("deep"),
                new OutOfMemoryError("full"), null};
            int[] calls = {0};
            IocpHandler handler = new IocpHandler() {
                @Override
                public void complete(IocpRegistration registration, IocpCompletion completion) {
                    Throwable t = toThrow[calls[0]++];
                    if (t instanceof RuntimeException) {
                        throw (RuntimeException) t;
                    }
                    if (t instanceof Error) {
                        throw (Error) t;
                    }
                }

                @Override
                public void unregistered(IocpRegistration registration) {
                    throw new AssertionError("unregistered() throws too");
                }
            };
            IocpRegistration registration = f.port.associate(IocpPort.NO_HANDLE, handler);
            for (int i = 0; i < 4; i++) {
                registration.post(i, i);
                f.turn();
            }
            assertThat(calls[0], is(4));
            assertThat(f.failures.size(), is(3));
            assertThat(f.failures.get(1), instanceOf(StackOverflowError.class));
            assertThat(f.failures.get(2), instanceOf(OutOfMemoryError.class));
            assertThat("every operation ended", registration.inflight(), is(0));
            registration.close();
            f.turn();
            assertThat(f.failures.size(), is(4));
            assertThat(f.port.liveRegistrations(), is(0));
        }
    }

    @Test
    void aHeapBufferIsRefusedAndTheWriterStaysUsable() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            PortFixture.Recorder handler = new PortFixture.Recorder();
            IocpRegistration registration = f.port.associate(socket, handler);
            ByteBuffer heap = ByteBuffer.allocate(8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.WSA_RECV).buffer(heap));
            assertThat(e.getMessage(), is("Heap ByteBuffer '" + heap + "' given as the buffer of WSA_RECV: Windows needs "
                    + "memory the loop can pin; use ByteBuffer.allocateDirect(...) or a block from "
                    + "IocpRegistration.allocate(...)"));
            registration.prepare(IocpFunction.WSA_SEND).buffer(ByteBuffer.allocateDirect(2)).submit();
            f.turn();
            assertThat(handler.last(), is(ok(IocpFunction.WSA_SEND, 0, 2)));
        }
    }

    @Test
    void aReadOnlyBufferIsRefusedForAFunctionThatWritesIntoIt() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            ByteBuffer readOnly = ByteBuffer.allocateDirect(8).asReadOnlyBuffer();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.WSA_RECV).buffer(readOnly));
            assertThat(e.getMessage(), is("Read-only buffer '" + readOnly + "' given as memory WSA_RECV writes into; "
                    + "pass a writable direct buffer"));
            registration.prepare(IocpFunction.WSA_SEND).buffer(readOnly).submit(); // reading is fine
        }
    }

    @Test
    void aClosedBlockIsRefused() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            NativeBlock block = registration.allocate(8);
            block.close();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> registration.prepare(IocpFunction.WSA_RECV).buffer(block, 0, 8));
            assertThat(e.getMessage(), containsString("is closed: the buffer of WSA_RECV needs an open block; allocate a "
                    + "new one from an open registration"));
        }
    }

    @Test
    void aBlockClosedBetweenNamingAndSubmittingIsRefusedAtSubmit() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            NativeBlock block = registration.allocate(8);
            var submission = registration.prepare(IocpFunction.WSA_RECV).buffer(block, 0, 8);
            block.close();
            assertThrows(IllegalStateException.class, submission::submit);
            assertThat(registration.inflight(), is(0));
        }
    }

    @Test
    void aRangeOutsideTheBlockIsRefused() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            NativeBlock block = registration.allocate(8);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> registration.prepare(IocpFunction.WSA_RECV).buffer(block, 4, 5));
            assertThat(e.getMessage(), is("Range at offset '4' of 5 bytes is outside the 8-byte block named as the buffer "
                    + "of WSA_RECV; keep offset + length within 8"));
        }
    }

    @Test
    void aCallFromAnotherThreadIsRefusedNamingTheThread() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread other = new Thread(() -> {
                try {
                    registration.prepare(IocpFunction.WSA_RECV);
                    thrown.complete(null);
                } catch (Throwable t) {
                    thrown.complete(t);
                }
            }, "intruder");
            other.start();
            Throwable t = thrown.get(10, TimeUnit.SECONDS);
            assertThat(t, instanceOf(IllegalStateException.class));
            assertThat(t.getMessage(), is("IocpRegistration.prepare called from thread 'intruder'; IocpPort runs on the "
                    + "thread of loop 'iocp-test' only: hand the work over with loop.execute(...)"));
            assertThat(runElsewhere(() -> f.port.associate(IocpPort.NO_HANDLE, new PortFixture.Recorder())),
                    instanceOf(IllegalStateException.class));
            assertThat(runElsewhere(() -> registration.post(1, 1)), instanceOf(IllegalStateException.class));
            assertThat(registration.inflight(), is(0));
        }
    }

    private static Throwable runElsewhere(Runnable action) throws InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        new Thread(() -> {
            try {
                action.run();
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        }).start();
        return thrown.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHandleAssociatedTwiceIsRefusedNamingIt() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            IocpRegistration first = f.port.associate(socket, new PortFixture.Recorder());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> f.port.associate(socket, new PortFixture.Recorder()));
            assertThat(e.getMessage(), is("Handle '0x" + Long.toHexString(socket) + "' is already associated with loop "
                    + "'iocp-test' (" + first + "); close that registration first, and associate a handle once"));
            assertThat(first.isOpen(), is(true));
            assertThat(f.port.liveRegistrations(), is(1));
        }
    }

    @Test
    void windowsRefusingAnAssociationIsATypedErrorWithTheRemedy() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            f.port.associate(socket, new PortFixture.Recorder()).close();
            f.turn();
            // Unregistered, but Windows keeps a handle on its port for life.
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> f.port.associate(socket, new PortFixture.Recorder()));
            assertThat(e.getCause().getMessage(), is("CreateIoCompletionPort for handle '0x" + Long.toHexString(socket)
                    + "' (a handle is associated with one completion port for its whole life; open a new handle) "
                    + "failed: invalid argument (ERROR_INVALID_PARAMETER 87)"));
            assertThat(f.port.isAssociated(socket), is(false));
            assertThat(f.port.liveRegistrations(), is(0));
        }
    }

    @Test
    void handleZeroIsRefused() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> f.port.associate(0, new PortFixture.Recorder()));
            assertThat(e.getMessage(), is("Handle '0' is not a HANDLE or SOCKET; pass an open handle, or "
                    + "IocpPort.NO_HANDLE for a registration that only receives posts"));
        }
    }

    @Test
    void submittingAfterCloseOrUnregisteredIsRefused() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            registration.prepare(IocpFunction.WSA_RECV).buffer(ByteBuffer.allocateDirect(8)).submit();
            registration.close();
            IllegalStateException closing = assertThrows(IllegalStateException.class,
                    () -> registration.prepare(IocpFunction.WSA_SEND));
            assertThat(closing.getMessage(), is("Registration '" + registration.toString().replaceAll(".*\\[(handle \\w+).*", "$1")
                    + "' is closing; cannot start WSA_SEND: associate a new handle with IocpPort.associate"));
            f.turn();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> registration.post(1, 1));
            assertThat(closed.getMessage(), containsString("is closed (unregistered() ran); cannot start POST"));
            assertThrows(IllegalStateException.class, () -> registration.allocate(8));
        }
    }

    @Test
    void aWriterUsedAfterSubmitIsRefused() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            var submission = registration.prepare(IocpFunction.WSA_SEND).buffer(ByteBuffer.allocateDirect(1));
            submission.submit();
            IllegalStateException e = assertThrows(IllegalStateException.class, submission::submit);
            assertThat(e.getMessage(), is("This IocpSubmission was already submitted or abandoned; start each operation "
                    + "with IocpRegistration.prepare(function)"));
            assertThat(registration.inflight(), is(1));
        }
    }

    @Test
    void missingOrIllFittingArgumentsAreRefusedBeforeAnythingStarts() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(f.tcpSocket(), new PortFixture.Recorder());
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.WSA_RECV).submit()).getMessage(),
                    is("WSA_RECV needs a buffer; set it with buffer(direct) or buffer(block, offset, length)"));
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.CONNECT_EX).submit()).getMessage(),
                    is("CONNECT_EX needs the peer's address; set it with address(block, 0, winsock.encode(peer, ipv6, view))"));
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.ACCEPT_EX).buffer(ByteBuffer.allocateDirect(8)).submit())
                    .getMessage(), is("ACCEPT_EX needs an accept socket; set it with acceptSocket(winsock.socket(...))"));
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.ACCEPT_EX).acceptSocket(f.tcpSocket())
                            .buffer(ByteBuffer.allocateDirect(80)).submit()).getMessage(),
                    is("AcceptEx buffer of '80' bytes has no room for both addresses (44 + 44); give at least 88 bytes"));
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.ACCEPT_EX).acceptSocket(f.tcpSocket())
                            .addressLengths(Integer.MAX_VALUE, Integer.MAX_VALUE)
                            .buffer(ByteBuffer.allocateDirect(88)).submit()).getMessage(),
                    is("AcceptEx buffer of '88' bytes has no room for both addresses (2147483647 + 2147483647); give at "
                            + "least 4294967294 bytes"));
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.ACCEPT_EX).addressLengths(16, 44)).getMessage(),
                    is("AcceptEx address lengths '16' and '44' must each be at least 32 (the sockaddr plus 16); use 44 "
                            + "for IPv4 and IPv6"));
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.READ_FILE).offset(-1)).getMessage(),
                    is("File offset '-1' is negative; use 0 or more"));
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.POST)).getMessage(),
                    is("IocpFunction 'POST' is not started through prepare; post a user completion with "
                            + "IocpRegistration.post(bytes, tag)"));
            NativeBlock block = registration.allocate(16);
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> registration.prepare(IocpFunction.READ_FILE).wsabufs(block, 0, 1)).getMessage(),
                    is("wsabufs given to READ_FILE, which takes one buffer; use buffer(...) (WSABUF arrays go with "
                            + "WSA_RECV, WSA_SEND, WSA_RECV_FROM and WSA_SEND_TO)"));
            assertThat(registration.inflight(), is(0));
            assertThat(f.api.overlapped.calls.isEmpty(), is(true));
            assertThat(f.port.pinned(), is(0));
        }
    }

    @Test
    void aRegistrationWithoutAHandleOnlyPosts() throws Exception {
        try (PortFixture f = new PortFixture()) {
            IocpRegistration registration = f.port.associate(IocpPort.NO_HANDLE, new PortFixture.Recorder());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> registration.prepare(IocpFunction.WSA_RECV));
            assertThat(e.getMessage(), containsString("has no handle, so it cannot start WSA_RECV; associate the socket "
                    + "or file handle itself, or only post() to this one"));
        }
    }

    @Test
    void aBlockOfAnotherLoopIsRefused() throws Exception {
        try (PortFixture f = new PortFixture(); PortFixture g = new PortFixture()) {
            IocpRegistration mine = f.port.associate(IocpPort.NO_HANDLE, new PortFixture.Recorder());
            IocpRegistration theirs = g.port.associate(g.tcpSocket(), new PortFixture.Recorder());
            NativeBlock foreign = mine.allocate(8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> theirs.prepare(IocpFunction.WSA_RECV).buffer(foreign, 0, 8));
            assertThat(e.getMessage(), containsString("was not allocated on loop 'iocp-test'; allocate it from a "
                    + "registration of this loop"));
        }
    }

    @Test
    void associatingWhileTheLoopClosesIsRefused() throws Exception {
        try (PortFixture f = new PortFixture()) {
            f.backend.loopClosing();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> f.port.associate(IocpPort.NO_HANDLE, new PortFixture.Recorder()));
            assertThat(e.getMessage(), is("Event loop 'iocp-test' is closing; associate with an open loop"));
        }
    }

    @Test
    void aHandlerMaySubmitAgainFromItsCompletion() throws Exception {
        try (PortFixture f = new PortFixture()) {
            long socket = f.tcpSocket();
            ByteBuffer buffer = ByteBuffer.allocateDirect(8);
            int[] received = {0};
            IocpHandler handler = new IocpHandler() {
                @Override
                public void complete(IocpRegistration registration, IocpCompletion completion) {
                    received[0] += completion.bytes();
                    if (received[0] < 6) {
                        registration.prepare(IocpFunction.WSA_RECV).buffer(buffer).submit();
                    }
                }

                @Override
                public void unregistered(IocpRegistration registration) {
                }
            };
            f.port.associate(socket, handler).prepare(IocpFunction.WSA_RECV).buffer(buffer).submit();
            for (int i = 0; i < 3; i++) {
                f.sim.feed(socket, new byte[2]);
                f.turn();
            }
            assertThat(received[0], is(6));
            assertThat(f.sim.pendingOn(socket), is(0));
            assertThat(f.failures, org.hamcrest.Matchers.empty());
        }
    }
}
