// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import dev.loopwire.loop.completion.RequireIoUring;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #10, item 14: operation ids carry a generation, one failing completion never ends the
 * loop, and memory of operations still in flight at a forced close is never freed. The backend
 * is driven directly by the test thread.
 */
class OperationSafetyTest {

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
    }

    @Test
    void aStaleCompletionNeverReachesTheOpThatNowHoldsItsIndex() throws Exception {
        UringBackend backend = new UringBackend(8, 16);
        try {
            List<String> calls = new ArrayList<>();
            Op old = new Recording("old", calls);
            backend.register(old);
            int sqe = backend.sqe();
            backend.ring().prepare(sqe, Ring.OP_NOP, -1, 0, 0, 0, old.id);
            backend.unregister(old); // its completion is still to come
            Op fresh = new Recording("fresh", calls);
            backend.register(fresh); // the same table index, a new generation
            for (int i = 0; i < 10; i++) {
                backend.await(10_000_000L);
            }
            assertThat(calls, is(List.of()));
            backend.unregister(fresh);
        } finally {
            backend.close();
        }
    }

    @Test
    void aCompletionThatThrowsDoesNotEndTheTurnNorTheOthers() throws Exception {
        UringBackend backend = new UringBackend(8, 16);
        try {
            List<String> calls = new ArrayList<>();
            Op throwing = new Op() {
                @Override
                void complete(int result, int flags) {
                    calls.add("throwing");
                    throw new StackOverflowError("thrown on purpose");
                }
            };
            Op next = new Recording("next", calls);
            backend.register(throwing);
            backend.register(next);
            backend.ring().prepare(backend.sqe(), Ring.OP_NOP, -1, 0, 0, 0, throwing.id);
            backend.ring().prepare(backend.sqe(), Ring.OP_NOP, -1, 0, 0, 0, next.id);
            for (int i = 0; i < 100 && calls.size() < 2; i++) {
                backend.await(10_000_000L);
            }
            assertThat(calls, is(List.of("throwing", "next 0")));
            backend.unregister(throwing);
            backend.unregister(next);
        } finally {
            backend.close();
        }
    }

    @Test
    void aBackendClosedWithOperationsInFlightIsNeverFreed() throws Exception {
        WeakReference<UringBackend> reference = closeWithAReadInFlight();
        for (int i = 0; i < 5 && reference.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        // Before the fix the backend, its ops and their native receive memory were collected
        // (and freed) while the kernel could still write into it.
        assertThat(reference.get(), notNullValue());
    }

    private static WeakReference<UringBackend> closeWithAReadInFlight() throws IOException {
        UringBackend backend = new UringBackend(8, 16);
        // An operation of the loop's own (not a registration, which close would cancel first):
        // a read of a pipe nobody writes, still in the kernel when the backend closes.
        int[] pipe = backend.uringPort().posix().pipe(0);
        com.sun.jna.Memory target = dev.loopwire.loop.completion.internal.NativeMemory.allocate(64);
        Op read = new Recording("read", new java.util.ArrayList<>());
        backend.register(read);
        backend.ring().prepare(backend.sqe(), Ring.OP_READ, pipe[0], dev.loopwire.loop.completion.internal.NativeMemory.address(target),
                64, -1, read.id);
        backend.opStarted();
        backend.await(0); // the read is in the kernel
        backend.close(); // as the loop does when its close timeout passed
        return new WeakReference<>(backend);
    }

    private static final class Recording extends Op {
        private final String name;
        private final List<String> calls;

        Recording(String name, List<String> calls) {
            this.name = name;
            this.calls = calls;
        }

        @Override
        void complete(int result, int flags) {
            calls.add(name + " " + result);
        }
    }
}
