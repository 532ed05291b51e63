// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs a piece of a test on a loop's thread and waits (bounded) for its result. */
final class OnLoop {

    private OnLoop() {
    }

    static <T> T call(CompletionLoop loop, Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(body.call());
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

    interface Body {
        void run() throws Exception;
    }

    static void run(CompletionLoop loop, Body body) throws Exception {
        call(loop, () -> {
            body.run();
            return null;
        });
    }
}
