// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Shared helpers of the {@code Attack*} tests: they reach loopwire through its public API and
 * {@link EventLoops#open(String)} only, so they survive the completion loop's module rename.
 */
final class AttackSupport {

    /** The loop kinds every parameterized attack runs on, by the names {@link EventLoops#open(String)} knows. */
    static final String KINDS = "dev.loopwire.reliability.AttackSupport#kinds";

    private AttackSupport() {
    }

    static java.util.stream.Stream<String> kinds() {
        return java.util.stream.Stream.of("selector", "completion");
    }

    /** Opens a loop of {@code kind}; a missing completion loop skips, or fails under loopwire.require. */
    static EventLoop open(String kind) {
        try {
            return EventLoops.open(kind);
        } catch (IllegalStateException e) {
            if (System.getProperty("loopwire.require", "").contains("io_uring")) {
                fail("loop '" + kind + "' is required but unavailable: " + e.getMessage());
            }
            assumeTrue(false, "loop '" + kind + "' unavailable: " + e.getMessage());
            throw e;
        }
    }

    /**
     * Opens a loop of {@code kind} with an exception handler, through the public static
     * {@code builder()} that both loops' classes offer (found from an opened loop's class, so no
     * module name is written here).
     */
    static EventLoop openWithHandler(String kind, Consumer<Throwable> handler) {
        Class<?> type;
        try (EventLoop probe = open(kind)) {
            type = probe.getClass();
        }
        try {
            Object builder = type.getMethod("builder").invoke(null);
            Method eh = builder.getClass().getMethod("exceptionHandler", Consumer.class);
            eh.invoke(builder, handler);
            return (EventLoop) builder.getClass().getMethod("open").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no public builder().exceptionHandler(..).open() on " + type, e);
        }
    }

    /** A recording exception handler. */
    static final class Handled implements Consumer<Throwable> {
        final List<Throwable> seen = new CopyOnWriteArrayList<>();

        @Override
        public void accept(Throwable t) {
            seen.add(t);
        }

        /** Whether {@code t} itself, or a throwable whose cause chain holds it, reached the handler. */
        boolean saw(Throwable t) {
            for (Throwable s : seen) {
                for (Throwable c = s; c != null; c = c.getCause()) {
                    if (c == t) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Waits up to 10 s for a condition; returns whether it held. */
    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Closes a loop from a helper thread; fails if close() does not return within 15 s. */
    static void closeBounded(EventLoop loop) throws Exception {
        CompletableFuture<Void> f = CompletableFuture.runAsync(loop::close);
        try {
            f.get(15, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fail("close() of " + loop + " did not return within 15 s");
        }
    }

    /** Runs {@code r} on the loop thread and waits for it. */
    static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> r) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(r.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    /** A real StackOverflowError, unwound. */
    static StackOverflowError realStackOverflow() {
        try {
            recurse(0);
        } catch (StackOverflowError e) {
            return e;
        }
        throw new AssertionError("no stack overflow");
    }

    private static int recurse(int n) {
        return recurse(n + 1) + 1;
    }
}
