// SPDX-License-Identifier: Apache-2.0
package com.example.uringtest;

import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringRegistration;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A {@link UringHandler} that writes down what it is told, as a third party's transport would
 * react to it: each completion as {@code "tag=<tag> res=<result>"} (plus the bytes of a provided
 * buffer), the loop closing, and the end of the registration.
 *
 * <p>Lifecycle: one per registration. Concurrency: called on the loop thread; read from any.
 */
public final class RecordingHandler implements UringHandler {

    /** What the handler saw, in order. */
    public final List<String> events = new CopyOnWriteArrayList<>();
    /** Completes when {@link #unregistered} runs. */
    public final CompletableFuture<UringRegistration> unregistered = new CompletableFuture<>();
    /** Completes at the first completion of each tag asked for with {@link #completion(long)}. */
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private volatile Supplier<Throwable> thrower;
    private volatile boolean closeOnLoopClosing = true;

    /** Makes every later completion throw what {@code thrower} returns (after recording it). */
    public RecordingHandler throwing(Supplier<Throwable> thrower) {
        this.thrower = thrower;
        return this;
    }

    /** Whether {@link #loopClosing} closes the registration (it does by default). */
    public RecordingHandler closeOnLoopClosing(boolean close) {
        this.closeOnLoopClosing = close;
        return this;
    }

    /** Completes with the result of the first completion tagged {@code tag} from now on. */
    public CompletableFuture<Integer> completion(long tag) {
        Waiter waiter = new Waiter(tag);
        waiters.add(waiter);
        return waiter.result;
    }

    @Override
    public void complete(UringRegistration registration, UringCompletion completion) {
        String event = "tag=" + completion.tag() + " res=" + completion.result();
        ByteBuffer buffer = completion.buffer();
        if (buffer != null) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            event += " buffer=" + new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
        }
        events.add(event);
        for (Waiter waiter : waiters) {
            if (waiter.tag == completion.tag() && waiter.result.complete(completion.result())) {
                waiters.remove(waiter);
            }
        }
        Supplier<Throwable> t = thrower;
        if (t != null) {
            sneakyThrow(t.get());
        }
    }

    @Override
    public void loopClosing(UringRegistration registration) {
        events.add("loopClosing");
        if (closeOnLoopClosing) {
            registration.close();
        }
    }

    @Override
    public void unregistered(UringRegistration registration) {
        events.add("unregistered inflight=" + registration.inflight());
        unregistered.complete(registration);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    private static final class Waiter {
        final long tag;
        final CompletableFuture<Integer> result = new CompletableFuture<>();

        Waiter(long tag) {
            this.tag = tag;
        }
    }
}
