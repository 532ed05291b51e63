// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal;

import dev.loopwire.loop.completion.CompletionLoop;
import java.util.Objects;

/**
 * The one way from inside the module to a {@link CompletionLoop} on a backend chosen by the
 * caller rather than by the platform: a loop on a simulated IOCP port, for tests that run the
 * IOCP code on Linux. {@link CompletionLoop} installs its starter here when it is initialised,
 * so that the loop's package keeps its constructor private and exports nothing for it.
 *
 * <p><b>Lifecycle.</b> The starter is installed once, by {@code CompletionLoop}'s static
 * initialiser; a second install is refused.
 *
 * <p><b>Concurrency.</b> Thread-safe.
 */
public final class BackendLoops {

    /** Starts a loop configured by a builder on a given backend. */
    @FunctionalInterface
    public interface Starter {
        /**
         * Starts the loop.
         *
         * @param builder the loop's settings
         * @param backend the backend the loop drives; closed if the loop cannot start
         * @return the running loop
         */
        CompletionLoop start(CompletionLoop.Builder builder, CompletionBackend backend);
    }

    private static volatile Starter starter;

    private BackendLoops() {
    }

    /**
     * Installs the starter; {@code CompletionLoop} calls it once.
     *
     * @param s the starter
     * @throws IllegalStateException if one is installed already
     */
    public static synchronized void install(Starter s) {
        if (starter != null) {
            throw new IllegalStateException("A CompletionLoop starter is installed already");
        }
        starter = Objects.requireNonNull(s, "starter");
    }

    /**
     * Starts a loop with {@code builder}'s settings on {@code backend}.
     *
     * @param builder from {@link CompletionLoop#builder()}, which also installs the starter
     * @param backend the backend; closed if the loop cannot start
     * @return the running loop
     */
    public static CompletionLoop start(CompletionLoop.Builder builder, CompletionBackend backend) {
        return starter.start(Objects.requireNonNull(builder, "builder"), Objects.requireNonNull(backend, "backend"));
    }
}
