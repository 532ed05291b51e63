// SPDX-License-Identifier: Apache-2.0
package com.example.uringtest;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How a third party finds a loop with {@link UringPort}: through {@link EventLoops} alone. When
 * no loop offers io_uring here the test is skipped, or fails if {@code -Dloopwire.require}
 * contains {@code io_uring}.
 */
final class UringLoops {

    private UringLoops() {
    }

    static EventLoop open() {
        String reason = "no loop provider offers io_uring";
        for (EventLoopProvider provider : EventLoops.providers()) {
            if (provider.name().equals("completion")) {
                Availability availability = EventLoops.availability(provider);
                if (availability.isAvailable()) {
                    EventLoop loop = EventLoops.open("completion");
                    if (loop.capability(UringPort.class).isPresent()) {
                        return loop;
                    }
                    loop.close();
                    reason = "loop '" + loop.name() + "' does not offer UringPort";
                } else {
                    reason = availability.reason();
                }
            }
        }
        if (System.getProperty("loopwire.require", "").contains("io_uring")) {
            fail("io_uring is required (loopwire.require) but unavailable: " + reason);
        }
        assumeTrue(false, "io_uring unavailable: " + reason);
        throw new AssertionError("unreachable");
    }

    static UringPort port(EventLoop loop) {
        return loop.capability(UringPort.class).orElseThrow();
    }

    /** Runs {@code work} on the loop thread and waits for its result (10 s at most). */
    static <T> T onLoop(EventLoop loop, Callable<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    /**
     * Opens and closes a loop and a datagram channel once, so that descriptors the JVM opens once
     * and keeps (seen here: {@code /dev/random}, {@code /dev/urandom}, and libffi's deleted
     * {@code /tmp/ffi*} trampoline file under JNA) are open before a test counts descriptors.
     */
    static void warmUp() throws IOException {
        open().close();
        java.nio.channels.DatagramChannel.open()
                .bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0)).close();
    }

    /** What each open descriptor points to, for messages. */
    static java.util.Set<String> fdTargets() throws IOException {
        java.util.Set<String> targets = new java.util.TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    targets.add(fd.getFileName() + "->" + Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return targets;
    }

    /** Open file descriptors of this process. */
    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
