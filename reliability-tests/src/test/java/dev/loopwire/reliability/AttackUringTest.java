// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.await;
import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.AttackSupport.onLoop;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import dev.loopwire.loop.UringSubmission;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Attacks on {@code UringPort} and friends, through the completion loop's public capability only. */
class AttackUringTest {

    /** Counts completions and unregistrations; optionally throws from both. */
    static class Counting implements UringHandler {
        final List<Integer> results = new CopyOnWriteArrayList<>();
        final AtomicInteger unregistered = new AtomicInteger();
        final CompletableFuture<Void> gone = new CompletableFuture<>();
        volatile Throwable toThrow;

        @Override
        public void complete(UringRegistration registration, UringCompletion completion) {
            results.add(completion.result());
            if (toThrow != null) {
                AttackLoopTest.sneaky(toThrow);
            }
        }

        @Override
        public void unregistered(UringRegistration registration) {
            unregistered.incrementAndGet();
            gone.complete(null);
            if (toThrow != null) {
                AttackLoopTest.sneaky(toThrow);
            }
        }
    }

    static UringPort port(EventLoop loop) {
        return loop.capability(UringPort.class).orElseThrow(() -> new AssertionError(loop + " offers no UringPort"));
    }

    @Test
    void misuseIsRefusedWithTypedExceptionsAndTheLoopStaysUsable() throws Exception {
        try (EventLoop loop = AttackSupport.open("completion")) {
            UringPort port = port(loop);
            PosixCalls posix = port.posix();
            int[] pipe = posix.pipe(0);
            Counting h = new Counting();
            UringRegistration reg = onLoop(loop, () -> port.register(pipe[0], h));
            List<String> problems = new ArrayList<>();
            onLoop(loop, () -> {
                expect(problems, "register twice", IllegalArgumentException.class, String.valueOf(pipe[0]),
                        () -> port.register(pipe[0], new Counting()));
                expect(problems, "register -2", IllegalArgumentException.class, "-2", () -> port.register(-2, new Counting()));
                expect(problems, "register null handler", NullPointerException.class, null, () -> port.register(pipe[1], null));
                expect(problems, "heap buffer", IllegalArgumentException.class, null,
                        () -> reg.prepare(UringPort.OP_READ).addr(ByteBuffer.allocate(8)));
                expect(problems, "allocate 0", IllegalArgumentException.class, "0", () -> reg.allocate(0));
                expect(problems, "allocate -1", IllegalArgumentException.class, "-1", () -> reg.allocate(-1));
                NativeBlock block = reg.allocate(16);
                expect(problems, "len past the block", IllegalArgumentException.class, null,
                        () -> reg.prepare(UringPort.OP_READ).addr(block, 0).len(17).submit());
                expect(problems, "negative len", IllegalArgumentException.class, null,
                        () -> reg.prepare(UringPort.OP_READ).addr(block, 0).len(-1).submit());
                expect(problems, "offset past the block", RuntimeException.class, null,
                        () -> reg.prepare(UringPort.OP_READ).addr(block, 17));
                expect(problems, "negative offset", RuntimeException.class, null,
                        () -> reg.prepare(UringPort.OP_READ).addr(block, -1));
                expect(problems, "putAddress out of range", IndexOutOfBoundsException.class, null,
                        () -> { block.putAddress(12, block, 0); return null; });
                expect(problems, "loop-only opcode ASYNC_CANCEL", UnsupportedOperationException.class, null,
                        () -> reg.prepare(14));
                expect(problems, "opcode 255", UnsupportedOperationException.class, null, () -> reg.prepare(255));
                expect(problems, "opcode -1", RuntimeException.class, null, () -> reg.prepare(-1));
                expect(problems, "CQE_SKIP_SUCCESS", RuntimeException.class, null,
                        () -> reg.prepare(UringPort.OP_NOP).flags(UringPort.SQE_CQE_SKIP_SUCCESS).submit());
                expect(problems, "close a registered fd", IllegalStateException.class, null, () -> {
                    posix.close(pipe[0]);
                    return null;
                });
                UringSubmission used = reg.prepare(UringPort.OP_NOP);
                used.submit();
                expect(problems, "writer used after submit", IllegalStateException.class, null, () -> used.tag(1));
                NativeBlock closed = reg.allocate(8);
                closed.close();
                closed.close();
                expect(problems, "closed block in addr", IllegalStateException.class, null,
                        () -> reg.prepare(UringPort.OP_READ).addr(closed, 0));
                expect(problems, "closed block as putAddress target", IllegalStateException.class, null,
                        () -> { block.putAddress(0, closed, 0); return null; });
                closed.buffer().get(0); // a view kept after close reads stale bytes
                expect(problems, "bufferGroup 0", IllegalArgumentException.class, null, () -> port.bufferGroup(0));
                expect(problems, "bufferGroup 1 MiB + 1", IllegalArgumentException.class, null,
                        () -> port.bufferGroup(UringBufferGroup.MAX_BUFFER_SIZE + 1));
                return null;
            });
            // From another thread.
            expect(problems, "register off-loop", IllegalStateException.class, Thread.currentThread().getName(),
                    () -> port.register(pipe[1], new Counting()));
            expect(problems, "prepare off-loop", IllegalStateException.class, null, () -> reg.prepare(UringPort.OP_NOP));
            expect(problems, "allocate off-loop", IllegalStateException.class, null, () -> reg.allocate(8));
            expect(problems, "cancelAll off-loop", IllegalStateException.class, null, () -> { reg.cancelAll(); return null; });
            expect(problems, "bufferGroup off-loop", IllegalStateException.class, null, () -> port.bufferGroup(64));
            UringSubmission writer = onLoop(loop, () -> reg.prepare(UringPort.OP_NOP));
            expect(problems, "submit off-loop", IllegalStateException.class, null, writer::submit);
            NativeBlock b = onLoop(loop, () -> reg.allocate(8));
            expect(problems, "block close off-loop", IllegalStateException.class, null, () -> { b.close(); return null; });
            port.supports(UringPort.OP_NOP);
            port.allocatedBytes();
            // Still usable: a NOP round trip.
            int before = h.results.size();
            onLoop(loop, () -> reg.prepare(UringPort.OP_NOP).submit());
            assertThat(await(() -> h.results.size() > before), is(true));
            onLoop(loop, () -> { reg.close(); return null; });
            h.gone.get(10, TimeUnit.SECONDS);
            posix.close(pipe[0]);
            posix.close(pipe[1]);
            assertThat(String.join("\n", problems), problems.isEmpty(), is(true));
        }
    }

    interface Call {
        Object call() throws Exception;
    }

    static void expect(List<String> problems, String what, Class<? extends Throwable> type, String inMessage, Call call) {
        try {
            call.call();
            problems.add(what + ": nothing thrown, expected " + type.getSimpleName());
        } catch (Throwable t) {
            if (!type.isInstance(t)) {
                problems.add(what + ": threw " + t + ", expected " + type.getSimpleName());
            } else if (inMessage != null && (t.getMessage() == null || !t.getMessage().contains(inMessage))) {
                problems.add(what + ": message '" + t.getMessage() + "' does not name " + inMessage);
            }
        }
    }

    /**
     * PosixCalls.close: "throws IllegalStateException if fd is still registered with the loop".
     * Every completion loop's PosixCalls must refuse it, not only the facet of the loop it is
     * registered on: closing it pulls the fd from under operations in flight.
     */
    @Test
    void anFdRegisteredOnOneLoopCannotBeClosedThroughAnotherLoopsPosixCalls() throws Exception {
        try (EventLoop a = AttackSupport.open("completion"); EventLoop b = AttackSupport.open("completion")) {
            PosixCalls posixA = port(a).posix();
            int[] pipe = posixA.pipe(0);
            Counting h = new Counting();
            UringRegistration reg = onLoop(a, () -> port(a).register(pipe[0], h));
            NativeBlock buf = onLoop(a, () -> reg.allocate(64));
            onLoop(a, () -> reg.prepare(UringPort.OP_READ).addr(buf, 0).len(64).offset(-1).submit());
            List<String> problems = new ArrayList<>();
            expect(problems, "close through the loop's own PosixCalls", IllegalStateException.class, null, () -> {
                posixA.close(pipe[0]);
                return null;
            });
            expect(problems, "close through another loop's PosixCalls", IllegalStateException.class, null, () -> {
                port(b).posix().close(pipe[0]);
                return null;
            });
            onLoop(a, () -> { reg.close(); return null; });
            h.gone.get(10, TimeUnit.SECONDS);
            try {
                posixA.close(pipe[0]);
            } catch (IOException alreadyClosed) {
                problems.add("the fd was already closed by the other loop's PosixCalls: " + alreadyClosed);
            }
            posixA.close(pipe[1]);
            assertThat(String.join("\n", problems), problems.isEmpty(), is(true));
        }
    }

    /**
     * A flood of NOPs in one loop turn: past the ring's room {@code submit()} throws
     * SubmissionQueueFullException ("nothing was submitted and the writer stays filled, so retry
     * on a later turn"); every id it returned completes exactly once, and a retry on a later turn
     * works.
     */
    @Test
    void aSubmissionFloodIsRefusedVisiblyAndEverySubmittedOperationCompletesOnce() throws Exception {
        try (EventLoop loop = AttackSupport.open("completion")) {
            UringPort port = port(loop);
            java.util.Map<Long, AtomicInteger> seen = new java.util.concurrent.ConcurrentHashMap<>();
            AtomicInteger completions = new AtomicInteger();
            CompletableFuture<Void> gone = new CompletableFuture<>();
            UringRegistration reg = onLoop(loop, () -> port.register(-1, new UringHandler() {
                @Override
                public void complete(UringRegistration r, UringCompletion c) {
                    completions.incrementAndGet();
                    seen.computeIfAbsent(c.operationId(), k -> new AtomicInteger()).incrementAndGet();
                }

                @Override
                public void unregistered(UringRegistration r) {
                    gone.complete(null);
                }
            }));
            Object[] outcome = onLoop(loop, () -> {
                java.util.Set<Long> ids = new java.util.HashSet<>();
                RuntimeException full = null;
                for (int i = 0; i < 200_000 && full == null; i++) {
                    UringSubmission s = reg.prepare(UringPort.OP_NOP).tag(i);
                    try {
                        ids.add(s.submit());
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        full = e;
                        try {
                            ids.add(s.submit()); // the writer "stays filled": a retry in the same turn is refused again
                            full = new IllegalStateException("a retry in the same turn was accepted");
                        } catch (java.util.concurrent.RejectedExecutionException again) {
                            // expected
                        }
                    }
                }
                return new Object[] {ids, full};
            });
            @SuppressWarnings("unchecked")
            java.util.Set<Long> ids = (java.util.Set<Long>) outcome[0];
            Object full = outcome[1];
            assertThat("operation ids unique", ids.size() > 0, is(true));
            assertThat("completions for every submitted id (" + ids.size() + " ids, full: " + full + ")",
                    await(() -> completions.get() >= ids.size()), is(true));
            Thread.sleep(50);
            assertThat(completions.get(), is(ids.size()));
            assertThat("each id completed once", seen.keySet().equals(ids) && seen.values().stream().allMatch(n -> n.get() == 1), is(true));
            if (full != null) {
                assertThat(String.valueOf(full), full instanceof dev.loopwire.loop.SubmissionQueueFullException, is(true));
            }
            int before = completions.get();
            onLoop(loop, () -> reg.prepare(UringPort.OP_NOP).submit());
            assertThat("a later turn submits again", await(() -> completions.get() == before + 1), is(true));
            onLoop(loop, () -> {
                reg.close();
                return null;
            });
            gone.get(10, TimeUnit.SECONDS);
        }
    }

    /** UringPort.register: "@throws IllegalStateException if not on the loop thread, or the loop is closing". */
    @Test
    void registerFromACloseHookIsAcceptedAndServedAsTheJavadocSays() throws Exception {
        // UringPort.register: "While the loop closes it still accepts registrations on its thread
        // as long as it turns: from a close hook ..." (finding 10 chose this over refusing)
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Counting late = new Counting();
        EventLoop loop = AttackSupport.open("completion");
        UringPort port = port(loop);
        loop.addCloseHook(() -> {
            try {
                port.register(-1, late).prepare(UringPort.OP_NOP).submit();
                outcome.complete("accepted");
            } catch (Throwable t) {
                outcome.complete(t.getClass().getSimpleName());
            }
        });
        closeBounded(loop);
        assertThat("register while the loop closes", outcome.get(10, TimeUnit.SECONDS), is("accepted"));
        assertThat("the late NOP completed (or was cancelled) once", late.results.size(), is(1));
        assertThat("the late registration unregistered once", late.unregistered.get(), is(1));
    }

    @Test
    void cancelOfFinishedForeignOrGarbageOperationsReturnsFalse() throws Exception {
        try (EventLoop loop = AttackSupport.open("completion")) {
            UringPort port = port(loop);
            int[] pipe = port.posix().pipe(0);
            Counting h1 = new Counting();
            Counting h2 = new Counting();
            UringRegistration r1 = onLoop(loop, () -> port.register(-1, h1));
            UringRegistration r2 = onLoop(loop, () -> port.register(pipe[0], h2));
            long nop = onLoop(loop, () -> r1.prepare(UringPort.OP_NOP).submit());
            assertThat(await(() -> h1.results.size() == 1), is(true));
            NativeBlock buf = onLoop(loop, () -> r2.allocate(64));
            long read = onLoop(loop, () -> r2.prepare(UringPort.OP_READ).addr(buf, 0).len(64).offset(-1).submit());
            assertThat(onLoop(loop, () -> r1.cancel(nop)), is(false));
            assertThat("another registration's operation", onLoop(loop, () -> r1.cancel(read)), is(false));
            for (long garbage : new long[] {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, nop + 1, read ^ (1L << 40)}) {
                assertThat("cancel(" + garbage + ")", onLoop(loop, () -> r1.cancel(garbage) || r2.cancel(garbage)), is(false));
            }
            assertThat(onLoop(loop, r2::inflight), is(1));
            assertThat(onLoop(loop, () -> r2.cancel(read)), is(true));
            assertThat(await(() -> h2.results.size() == 1), is(true));
            assertThat(h2.results.get(0), is(-125)); // -ECANCELED
            assertThat("cancel after its completion", onLoop(loop, () -> r2.cancel(read)), is(false));
            onLoop(loop, () -> { r1.close(); r2.close(); r2.close(); return null; });
            h2.gone.get(10, TimeUnit.SECONDS);
            h1.gone.get(10, TimeUnit.SECONDS);
            assertThat(h1.unregistered.get() + h2.unregistered.get(), is(2));
            port.posix().close(pipe[0]);
            port.posix().close(pipe[1]);
        }
    }

    @Test
    void aHandlerThrowingOnEveryCompletionNeverStopsTheLoopAndStillUnregistersOnce() throws Exception {
        AttackSupport.Handled handled = new AttackSupport.Handled();
        EventLoop loop = AttackSupport.openWithHandler("completion", handled);
        try {
            UringPort port = port(loop);
            long baseBytes = port.allocatedBytes();
            Counting h = new Counting();
            StackOverflowError soe = AttackSupport.realStackOverflow();
            h.toThrow = soe;
            UringRegistration reg = onLoop(loop, () -> port.register(-1, h));
            onLoop(loop, () -> {
                reg.allocate(4096);
                for (int i = 0; i < 100; i++) {
                    reg.prepare(UringPort.OP_NOP).tag(i).submit();
                }
                return null;
            });
            assertThat(await(() -> h.results.size() == 100), is(true));
            assertThat(await(() -> handled.seen.size() >= 100), is(true));
            assertThat(handled.saw(soe), is(true));
            onLoop(loop, () -> { reg.close(); return null; });
            h.gone.get(10, TimeUnit.SECONDS);
            assertThat(await(() -> handled.seen.size() >= 101), is(true));
            assertThat(h.unregistered.get(), is(1));
            assertThat("blocks released after a throwing unregistered", await(() -> port.allocatedBytes() == baseBytes), is(true));
            CountDownLatch alive = new CountDownLatch(1);
            loop.execute(alive::countDown);
            assertThat(alive.await(10, TimeUnit.SECONDS), is(true));
        } finally {
            closeBounded(loop);
        }
    }

    @Test
    void completionBuffersKeptPastTheCallAreReadableAfterTheLoopClosedAndGc() throws Exception {
        List<ByteBuffer> kept = new CopyOnWriteArrayList<>();
        EventLoop loop = AttackSupport.open("completion");
        UringPort port = port(loop);
        PosixCalls posix = port.posix();
        int fd = posix.socket(PosixCalls.AF_INET, PosixCalls.SOCK_DGRAM | PosixCalls.SOCK_NONBLOCK, 0);
        posix.bind(fd, new InetSocketAddress("127.0.0.1", 0));
        InetSocketAddress at = posix.localAddress(fd);
        CompletableFuture<Void> gone = new CompletableFuture<>();
        AtomicInteger got = new AtomicInteger();
        onLoop(loop, () -> {
            UringBufferGroup group = port.bufferGroup(2048);
            UringRegistration reg = port.register(fd, new UringHandler() {
                @Override
                public void complete(UringRegistration r, UringCompletion c) {
                    if (c.buffer() != null) {
                        kept.add(c.buffer()); // hostile: kept past the call
                        kept.add(c.buffer().duplicate());
                        got.incrementAndGet();
                    }
                    if (c.isFinal() && r.isOpen()) {
                        r.prepare(UringPort.OP_RECV).bufferGroup(group).ioprio(UringPort.RECV_MULTISHOT).submit();
                    }
                }

                @Override
                public void unregistered(UringRegistration r) {
                    try {
                        posix.close(fd);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    gone.complete(null);
                }
            });
            reg.prepare(UringPort.OP_RECV).bufferGroup(group).ioprio(UringPort.RECV_MULTISHOT).submit();
            return null;
        });
        try (DatagramChannel peer = DatagramChannel.open(StandardProtocolFamily.INET)) {
            for (int i = 0; i < 40; i++) {
                peer.send(ByteBuffer.wrap(("datagram " + i).repeat(50).getBytes(StandardCharsets.US_ASCII)), at);
            }
            await(() -> got.get() >= 20);
        }
        closeBounded(loop);
        assertThat(gone.isDone(), is(true));
        for (int i = 0; i < 3; i++) {
            System.gc();
            byte[] junk = new byte[16 << 20];
            junk[1] = 1;
        }
        long sum = 0;
        for (ByteBuffer b : kept) {
            ByteBuffer d = b.duplicate().clear();
            while (d.hasRemaining()) {
                sum += d.get();
            }
            if (!b.isReadOnly()) {
                b.duplicate().clear().put((byte) 1); // and written: still Java memory
            }
        }
        assertThat("received and kept " + got + " (" + sum + ")", got.get() >= 20, is(true));
    }

    /**
     * Closes the completion loop's own file descriptors (its ring and wake-up eventfd, which
     * "stay inside the loop") through {@code PosixCalls}, in a child JVM so a crash there cannot
     * take this one down. The promise attacked: bad input gives a typed exception and leaves the
     * object usable; at worst the loop fails visibly. Never a hang, a crash, or a write into a
     * reused fd number.
     */
    @Test
    void closingTheLoopsOwnFdsThroughPosixCallsIsRefusedOrFailsVisibly() throws Exception {
        AttackSupport.open("completion").close(); // skips or fails when io_uring is unavailable
        String cp = Stream.of(System.getProperty("jdk.module.path", ""), System.getProperty("java.class.path", ""),
                        Path.of("target", "test-classes").toAbsolutePath().toString())
                .filter(s -> !s.isEmpty()).collect(Collectors.joining(File.pathSeparator));
        Path log = Files.createTempFile("attack-close-own-fds", ".log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, CloseOwnFds.class.getName()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean ended = child.waitFor(19, TimeUnit.SECONDS);
        if (!ended) {
            new ProcessBuilder("jstack", String.valueOf(child.pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start().waitFor(10, TimeUnit.SECONDS);
            child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        assertThat("child JVM ended\n" + out, ended, is(true));
        assertThat("child JVM exit code (134 = crash)\n" + out, child.exitValue(), is(0));
        System.out.println(out);
        assertThat(out, containsString("anon_inode:[io_uring]"));
        assertThat(out, containsString("loop fds: ["));
        assertThat("every close of a loop fd refused\n" + out, out.contains("CLOSED "), is(false));
        assertThat(out, containsString("task after: "));
        assertThat("after a failure the loop ran the task, or closed itself visibly\n" + out,
                out.contains("task after: ran") || out.contains("loop closed: true"), is(true));
        assertThat("no loop wrote into someone else's fd\n" + out, out.contains("reused its fd numbers: 0"), is(true));
        assertThat(out, containsString("close returned"));
    }

    /** The child JVM's program for the test above. */
    public static final class CloseOwnFds {
        public static void main(String[] args) throws Exception {
            try {
                run();
            } catch (Throwable t) {
                System.out.println("child failed: " + t);
                t.printStackTrace(System.out);
            } finally {
                System.out.flush();
                System.exit(0);
            }
        }

        private static void run() throws Exception {
            Set<String> before = fds();
            EventLoop loop = EventLoops.open("completion");
            Set<String> mine = fds();
            mine.removeAll(before);
            List<Integer> loopFds = new ArrayList<>();
            for (String fd : mine) {
                String target;
                try {
                    target = Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString();
                } catch (IOException gone) { // the directory listing's own fd
                    continue;
                }
                if (target.contains("io_uring") || target.contains("eventfd")) {
                    loopFds.add(Integer.parseInt(fd));
                    System.out.println("fd " + fd + " -> " + target);
                }
            }
            System.out.println("loop fds: " + loopFds);
            System.out.flush();
            EventLoop other = EventLoops.open("completion");
            for (PosixCalls posix : List.of(port(other).posix(), port(loop).posix())) {
                closeEach(posix, loopFds);
            }
            PosixCalls posix = port(loop).posix();
            // Make fd numbers reusable by someone else, as a real program would.
            int[] reused = posix.pipe(PosixCalls.O_NONBLOCK);
            System.out.println("new pipe got fds " + reused[0] + "," + reused[1]);
            CountDownLatch ran = new CountDownLatch(1);
            try {
                loop.execute(ran::countDown);
                System.out.println("task after: " + (ran.await(3, TimeUnit.SECONDS) ? "ran" : "NOT RUN in 3 s"));
            } catch (Throwable t) {
                System.out.println("task after: rejected " + t);
            }
            System.out.println("loop closed: " + loop.isClosed());
            try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/fd/" + reused[0])) {
                System.out.println("bytes the loop wrote into the pipe that reused its fd numbers: " + in.available());
            }
            Thread closer = new Thread(loop::close);
            closer.setDaemon(true);
            closer.start();
            closer.join(8_000);
            System.out.println(closer.isAlive() ? "close HUNG" : "close returned");
        }

        private static void closeEach(PosixCalls posix, List<Integer> fds) {
            for (int fd : fds) {
                try {
                    posix.close(fd);
                    System.out.println("CLOSED " + fd + " (not refused) through " + posix);
                    System.out.flush();
                } catch (Throwable t) {
                    System.out.println("refused " + fd + ": " + t);
                }
            }
        }

        private static Set<String> fds() throws IOException {
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(java.util.HashSet::new));
            }
        }
    }
}
