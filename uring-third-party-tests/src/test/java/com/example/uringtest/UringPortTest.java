// SPDX-License-Identifier: Apache-2.0
package com.example.uringtest;

import static com.example.uringtest.UringLoops.onLoop;
import static com.example.uringtest.UringLoops.openFds;
import static com.example.uringtest.UringLoops.port;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pipes, NOPs, timeouts, cancels and closes through the public {@link UringPort} only. */
class UringPortTest {

    private static final int ETIME = 62;
    private static final int ECANCELED = 125;

    @Test
    void readsAndWritesAPipeAndGivesEverythingBack() throws Exception {
        UringLoops.warmUp();
        long fdsBefore = openFds();
        EventLoop loop = UringLoops.open();
        UringPort port = port(loop);
        int[] pipe = port.posix().pipe(0);
        RecordingHandler reader = new RecordingHandler();
        RecordingHandler writer = new RecordingHandler();
        CompletableFuture<Integer> read = reader.completion(1);
        CompletableFuture<Integer> written = writer.completion(2);
        NativeBlock[] into = new NativeBlock[1];
        UringRegistration[] registrations = onLoop(loop, () -> {
            UringRegistration r = port.register(pipe[0], reader);
            UringRegistration w = port.register(pipe[1], writer);
            into[0] = r.allocate(64);
            r.prepare(UringPort.OP_READ).addr(into[0], 0).len(64).offset(-1).tag(1).submit();
            ByteBuffer data = ByteBuffer.allocateDirect(5).put("hello".getBytes(StandardCharsets.US_ASCII)).flip();
            w.prepare(UringPort.OP_WRITE).addr(data).offset(-1).tag(2).submit();
            return new UringRegistration[] {r, w};
        });
        assertThat(written.get(10, TimeUnit.SECONDS), is(5));
        assertThat(read.get(10, TimeUnit.SECONDS), is(5));
        assertThat(onLoop(loop, () -> ascii(into[0].buffer(), 5)), is("hello"));
        assertThat(onLoop(loop, () -> port.allocatedBytes()), is(64L));

        onLoop(loop, () -> {
            registrations[0].close();
            registrations[1].close();
            return null;
        });
        reader.unregistered.get(10, TimeUnit.SECONDS);
        writer.unregistered.get(10, TimeUnit.SECONDS);
        port.posix().close(pipe[0]);
        port.posix().close(pipe[1]);
        assertThat(port.allocatedBytes(), is(0L));
        loop.close();
        assertThat(reader.events, contains("tag=1 res=5", "unregistered inflight=0"));
        assertThat(openFds(), is(fdsBefore));
    }

    @Test
    void runsNopAndTimeout() throws Exception {
        try (EventLoop loop = UringLoops.open()) {
            UringPort port = port(loop);
            RecordingHandler handler = new RecordingHandler();
            CompletableFuture<Integer> nop = handler.completion(10);
            CompletableFuture<Integer> timeout = handler.completion(11);
            UringRegistration registration = onLoop(loop, () -> {
                UringRegistration r = port.register(-1, handler);
                r.prepare(UringPort.OP_NOP).tag(10).submit();
                NativeBlock timespec = r.allocate(16);
                timespec.buffer().putLong(8, 5_000_000L); // 5 ms
                r.prepare(UringPort.OP_TIMEOUT).addr(timespec, 0).len(1).tag(11).submit();
                return r;
            });
            assertThat(nop.get(10, TimeUnit.SECONDS), is(0));
            assertThat(timeout.get(10, TimeUnit.SECONDS), is(-ETIME));
            onLoop(loop, () -> {
                registration.close();
                return null;
            });
            handler.unregistered.get(10, TimeUnit.SECONDS);
            assertThat(port.allocatedBytes(), is(0L));
        }
    }

    @Test
    void cancelsOneOperationInFlight() throws Exception {
        try (EventLoop loop = UringLoops.open()) {
            UringPort port = port(loop);
            int[] pipe = port.posix().pipe(0);
            RecordingHandler handler = new RecordingHandler();
            CompletableFuture<Integer> read = handler.completion(5);
            long[] id = new long[1];
            UringRegistration registration = onLoop(loop, () -> {
                UringRegistration r = port.register(pipe[0], handler);
                id[0] = r.prepare(UringPort.OP_READ).addr(ByteBuffer.allocateDirect(16)).offset(-1).tag(5).submit();
                return r;
            });
            assertThat(onLoop(loop, () -> registration.inflight()), is(1));
            assertThat(onLoop(loop, () -> registration.cancel(id[0])), is(true));
            assertThat(read.get(10, TimeUnit.SECONDS), is(-ECANCELED));
            assertThat(onLoop(loop, () -> registration.cancel(id[0])), is(false)); // no longer in flight
            assertThat(onLoop(loop, () -> registration.inflight()), is(0));
            onLoop(loop, () -> {
                registration.close();
                return null;
            });
            handler.unregistered.get(10, TimeUnit.SECONDS);
            port.posix().close(pipe[0]);
            port.posix().close(pipe[1]);
        }
    }

    @Test
    void closingARegistrationCancelsWhatIsInFlightThenUnregisters() throws Exception {
        try (EventLoop loop = UringLoops.open()) {
            UringPort port = port(loop);
            int[] pipe = port.posix().pipe(0);
            RecordingHandler handler = new RecordingHandler();
            onLoop(loop, () -> {
                UringRegistration r = port.register(pipe[0], handler);
                r.prepare(UringPort.OP_READ).addr(r.allocate(32), 0).len(32).offset(-1).tag(1).submit();
                NativeBlock timespec = r.allocate(16);
                timespec.buffer().putLong(0, 60); // a minute: only the close ends it
                r.prepare(UringPort.OP_TIMEOUT).addr(timespec, 0).len(1).tag(2).submit();
                r.close();
                assertThat(r.isOpen(), is(false));
                return r;
            });
            handler.unregistered.get(10, TimeUnit.SECONDS);
            assertThat(handler.events.subList(0, 2), containsInAnyOrder("tag=1 res=-" + ECANCELED,
                    "tag=2 res=-" + ECANCELED));
            assertThat(handler.events.get(2), is("unregistered inflight=0"));
            assertThat(port.allocatedBytes(), is(0L));
            port.posix().close(pipe[0]);
            port.posix().close(pipe[1]);
        }
    }

    @Test
    void closingTheLoopTellsOpenRegistrationsAndGivesEverythingBack() throws Exception {
        UringLoops.warmUp();
        long fdsBefore = openFds();
        EventLoop loop = UringLoops.open();
        UringPort port = port(loop);
        int[] pipe = port.posix().pipe(0);
        RecordingHandler handler = new RecordingHandler();
        onLoop(loop, () -> {
            UringRegistration r = port.register(pipe[0], handler);
            r.prepare(UringPort.OP_READ).addr(r.allocate(128), 0).len(128).offset(-1).tag(7).submit();
            return r;
        });
        loop.close();
        assertThat(handler.events, contains("loopClosing", "tag=7 res=-" + ECANCELED, "unregistered inflight=0"));
        assertThat(port.allocatedBytes(), is(0L));
        port.posix().close(pipe[0]);
        port.posix().close(pipe[1]);
        assertThat(openFds(), is(fdsBefore));
    }

    @Test
    void aLoopClosingHookThatThrowsStillEndsItsRegistration() throws Exception {
        EventLoop loop = UringLoops.open();
        UringPort port = port(loop);
        CompletableFuture<Boolean> unregistered = new CompletableFuture<>();
        onLoop(loop, () -> port.register(-1, new UringHandler() {
            @Override
            public void complete(UringRegistration registration, UringCompletion completion) {
            }

            @Override
            public void loopClosing(UringRegistration registration) {
                throw new StackOverflowError("thrown by loopClosing on purpose");
            }

            @Override
            public void unregistered(UringRegistration registration) {
                unregistered.complete(registration.isOpen());
            }
        }));
        loop.close();
        assertThat(unregistered.get(10, TimeUnit.SECONDS), is(false));
        assertThat(port.allocatedBytes(), is(0L));
    }

    @Test
    void aHandlerThatThrowsLeavesTheLoopRunning() throws Exception {
        try (EventLoop loop = UringLoops.open()) {
            UringPort port = port(loop);
            RecordingHandler handler = new RecordingHandler().throwing(StackOverflowError::new);
            UringRegistration registration = onLoop(loop, () -> port.register(-1, handler));
            CompletableFuture<Integer> first = handler.completion(1);
            onLoop(loop, () -> registration.prepare(UringPort.OP_NOP).tag(1).submit());
            assertThat(first.get(10, TimeUnit.SECONDS), is(0));
            handler.throwing(() -> new IllegalStateException("thrown by a handler on purpose"));
            CompletableFuture<Integer> second = handler.completion(2);
            onLoop(loop, () -> registration.prepare(UringPort.OP_NOP).tag(2).submit());
            assertThat(second.get(10, TimeUnit.SECONDS), is(0));
            handler.throwing(OutOfMemoryError::new);
            CompletableFuture<Integer> third = handler.completion(3);
            onLoop(loop, () -> registration.prepare(UringPort.OP_NOP).tag(3).submit());
            assertThat(third.get(10, TimeUnit.SECONDS), is(0));

            handler.throwing(null);
            CompletableFuture<Integer> fourth = handler.completion(4);
            onLoop(loop, () -> registration.prepare(UringPort.OP_NOP).tag(4).submit());
            assertThat(fourth.get(10, TimeUnit.SECONDS), is(0));
            assertThat(loop.isClosed(), is(false));
            assertThat(onLoop(loop, () -> registration.inflight()), is(0));
            onLoop(loop, () -> {
                registration.close();
                return null;
            });
            handler.unregistered.get(10, TimeUnit.SECONDS);
            assertThat(handler.events, contains("tag=1 res=0", "tag=2 res=0", "tag=3 res=0", "tag=4 res=0",
                    "unregistered inflight=0"));
        }
    }

    @Test
    void readsIntoASharedProvidedBufferThatCanBeKeptPastTheLoop() throws Exception {
        EventLoop loop = UringLoops.open();
        UringPort port = port(loop);
        int[] pipe = port.posix().pipe(0);
        CompletableFuture<ByteBuffer> kept = new CompletableFuture<>();
        CompletableFuture<Integer> bufferId = new CompletableFuture<>();
        UringHandler handler = new UringHandler() {
            @Override
            public void complete(UringRegistration registration, UringCompletion completion) {
                bufferId.complete(completion.bufferId());
                kept.complete(completion.buffer()); // kept past the call on purpose
            }

            @Override
            public void unregistered(UringRegistration registration) {
            }
        };
        UringBufferGroup[] groups = onLoop(loop, () -> {
            UringBufferGroup group = port.bufferGroup(100);
            UringRegistration r = port.register(pipe[0], handler);
            r.prepare(UringPort.OP_READ).bufferGroup(group).offset(-1).tag(3).submit();
            return new UringBufferGroup[] {group, port.bufferGroup(128), port.bufferGroup(129)};
        });
        assertThat(groups[0].bufferSize(), is(128));
        assertThat(groups[1] == groups[0], is(true)); // one group per loop and size class
        assertThat(groups[2].bufferSize(), is(256));
        byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        try (java.io.FileOutputStream sink = new java.io.FileOutputStream("/proc/self/fd/" + pipe[1])) {
            sink.write(ping);
        }
        assertThat(bufferId.get(10, TimeUnit.SECONDS) >= 0, is(true));
        ByteBuffer buffer = kept.get(10, TimeUnit.SECONDS);
        assertThat(buffer.remaining(), is(4));
        loop.close();
        // The loop is gone and the group released; the kept view still reads memory that exists.
        assertThat(ascii(buffer, 4), is("ping"));
        assertThat(port.allocatedBytes(), is(0L));
        port.posix().close(pipe[0]);
        port.posix().close(pipe[1]);
    }

    static String ascii(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        buffer.duplicate().position(0).get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
