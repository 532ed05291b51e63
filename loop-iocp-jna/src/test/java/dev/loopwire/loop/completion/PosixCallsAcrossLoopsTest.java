// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A loop's own fds (its io_uring and wake-up eventfd) and the fds registered on it are refused
 * by the {@link PosixCalls} of every completion loop in the JVM, not only by its own.
 */
class PosixCallsAcrossLoopsTest {

    @BeforeEach
    void requireIoUring() {
        RequireIoUring.check();
    }

    private static UringPort port(CompletionLoop loop) {
        return loop.capability(UringPort.class).orElseThrow();
    }

    /** The io_uring and eventfd fds open now (numbers, since a closed fd's number is reused). */
    private static Set<Integer> loopFds() throws IOException {
        Set<Integer> fds = new HashSet<>();
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path path : (Iterable<Path>) list::iterator) {
                try {
                    String target = Files.readSymbolicLink(path).toString();
                    if (target.contains("io_uring") || target.contains("eventfd")) {
                        fds.add(Integer.parseInt(path.getFileName().toString()));
                    }
                } catch (IOException gone) { // the listing's own fd
                    continue;
                }
            }
        }
        return fds;
    }

    @Test
    void anotherLoopsPosixCallsRefuseToCloseOrRegisterALoopsRingAndEventfd() throws Exception {
        Set<Integer> before = loopFds();
        try (CompletionLoop a = CompletionLoop.open()) {
            List<Integer> own = new ArrayList<>(loopFds());
            own.removeAll(before);
            assertThat("loop " + a.name() + "'s ring and eventfd", own, hasSize(2));
            try (CompletionLoop b = CompletionLoop.open()) {
                for (int fd : own) {
                    IllegalArgumentException closed = assertThrows(IllegalArgumentException.class,
                            () -> port(b).posix().close(fd));
                    assertThat(closed.getMessage(), containsString("fd '" + fd + "' is loop '" + a.name() + "''s own"));
                    assertThat(closed.getMessage(), containsString("use an fd you opened"));
                    IllegalArgumentException registered = assertThrows(IllegalArgumentException.class,
                            () -> OnLoop.call(b, () -> port(b).register(fd, new Quiet())));
                    assertThat(registered.getMessage(), containsString("loop '" + a.name() + "''s own"));
                }
                CompletableFuture<String> ran = new CompletableFuture<>();
                a.execute(() -> ran.complete("ran"));
                assertThat("loop A still wakes up", ran.get(10, TimeUnit.SECONDS), is("ran"));
            }
        }
        assertThat("the loops' fds are closed", loopFds(), is(before));
    }

    @Test
    void anFdRegisteredOnOneLoopIsRefusedByAnotherLoopsClose() throws Exception {
        try (CompletionLoop a = CompletionLoop.open(); CompletionLoop b = CompletionLoop.open()) {
            PosixCalls posix = port(b).posix();
            int[] pipe = posix.pipe(0);
            Quiet handler = new Quiet();
            UringRegistration registration = OnLoop.call(a, () -> {
                UringRegistration r = port(a).register(pipe[0], handler);
                NativeBlock block = r.allocate(16);
                r.prepare(UringPort.OP_READ).addr(block, 0).len(16).offset(-1).submit();
                return r;
            });
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> posix.close(pipe[0]));
            assertThat(refused.getMessage(), is("fd '" + pipe[0] + "' is still registered with loop '" + a.name()
                    + "'; close its registration and close the fd in UringHandler.unregistered"));
            OnLoop.run(a, registration::close);
            handler.gone.get(10, TimeUnit.SECONDS);
            posix.close(pipe[0]); // now it is the caller's again
            posix.close(pipe[1]);
        }
    }

    /** A handler that only records its unregistration. */
    private static final class Quiet implements UringHandler {
        final CompletableFuture<Void> gone = new CompletableFuture<>();

        @Override
        public void complete(UringRegistration registration, UringCompletion completion) {
        }

        @Override
        public void unregistered(UringRegistration registration) {
            gone.complete(null);
        }
    }
}
