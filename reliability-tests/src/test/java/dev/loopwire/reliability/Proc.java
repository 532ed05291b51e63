// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import dev.loopwire.loop.EventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What Linux reports about this process and the kernel's UDP counters: open file descriptors,
 * resident memory, and the {@code Udp:} line of {@code /proc/net/snmp} (system-wide for this
 * network namespace, so other processes' drops count too: it is an upper bound for ours).
 */
final class Proc {

    private Proc() {
    }

    /** Entries in {@code /proc/self/fd}. */
    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits up to 3 seconds for the count of open file descriptors to come back to
     * {@code baseline}, for resources released by another thread shortly after the call that
     * asked for it returned (the selector-thread adapter checks once a second whether its loop
     * closed). Returns the last count; the caller asserts it.
     */
    static long awaitFds(long baseline) throws InterruptedException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        long n = openFds();
        while (n != baseline && System.nanoTime() < deadline) {
            Thread.sleep(10);
            n = openFds();
        }
        return n;
    }

    /**
     * A baseline count of open file descriptors: the same value read twice 50 ms apart (at most
     * 2 seconds of trying), so that a socket another thread is still releasing is not counted.
     */
    static long stableFds() throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        long previous = openFds();
        while (true) {
            Thread.sleep(50);
            long n = openFds();
            if (n == previous || System.nanoTime() > deadline) {
                return n;
            }
            previous = n;
        }
    }

    /**
     * {@link #stableFds()} after waiting (at most 3 seconds) for the helper threads of the
     * selector-thread adapter that belong to loops other than {@code open} to end: they outlive
     * their loop by up to a second (the adapter checks once a second whether its loop closed) and
     * hold a selector meanwhile, so a loop closed by an earlier test would inflate the baseline.
     */
    static long baselineFds(EventLoop... open) throws InterruptedException {
        Set<String> mine = Arrays.stream(open).map(l -> "loopwire-" + l.name() + "-readiness").collect(Collectors.toSet());
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .anyMatch(n -> n.startsWith("loopwire-") && n.endsWith("-readiness") && !mine.contains(n))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return stableFds();
    }

    /** {@code VmRSS} in bytes. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/self/status");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Used heap after a full GC, in bytes. */
    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The kernel's UDP drop counters at one moment. */
    record UdpDrops(long inErrors, long rcvbufErrors, long sndbufErrors) {

        static UdpDrops now() {
            try {
                List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp")).stream()
                        .filter(l -> l.startsWith("Udp:")).toList();
                List<String> names = List.of(lines.get(0).trim().split("\\s+"));
                String[] values = lines.get(1).trim().split("\\s+");
                return new UdpDrops(value(names, values, "InErrors"), value(names, values, "RcvbufErrors"),
                        value(names, values, "SndbufErrors"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static long value(List<String> names, String[] values, String name) {
            return Long.parseLong(values[names.indexOf(name)]);
        }

        /** The counters' growth since {@code earlier}. */
        UdpDrops since(UdpDrops earlier) {
            return new UdpDrops(inErrors - earlier.inErrors, rcvbufErrors - earlier.rcvbufErrors,
                    sndbufErrors - earlier.sndbufErrors);
        }

        /**
         * Datagrams the kernel says it dropped. A receive-buffer overflow counts in both
         * {@code RcvbufErrors} and {@code InErrors}, so {@code InErrors} already includes it.
         */
        long dropped() {
            return inErrors + sndbufErrors;
        }
    }
}
