// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.loopwire.loop.EventLoop;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits for the suites: every wait ends after {@link #SECONDS_BOUND} seconds at the
 * latest, so a broken loop fails a test instead of hanging the build.
 */
final class Waits {

    /** The longest any single wait lasts; generous, as the suites run on loaded machines. */
    static final long SECONDS_BOUND = 10;

    private Waits() {
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(SECONDS_BOUND, SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("did not complete within " + SECONDS_BOUND + " s: " + stage, e);
        }
    }

    /** Runs {@code task} on the loop thread and returns its result (or rethrows what it threw). */
    static <T> T onLoop(EventLoop loop, Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(SECONDS_BOUND, SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("loop " + loop + " did not run a task within " + SECONDS_BOUND
                    + " s (isClosed() " + loop.isClosed() + "): its thread is stuck or has died", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Waits on a latch for {@link #SECONDS_BOUND} seconds; {@code true} if it opened. */
    static boolean opened(CountDownLatch latch) {
        try {
            return latch.await(SECONDS_BOUND, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Makes a task that holds the loop thread until {@code release} opens, after {@code entered}. */
    static Runnable hold(CountDownLatch entered, CountDownLatch release) {
        return () -> {
            entered.countDown();
            opened(release);
        };
    }
}
