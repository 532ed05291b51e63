// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal;

/**
 * What a backend and its raw capability need from their loop: the name, the thread check and
 * the exception handler.
 *
 * <p>Implementations are thread-safe.
 */
public interface LoopContext {

    /** The loop's name, for messages. */
    String name();

    /** Whether the caller is on the loop thread. */
    boolean inLoop();

    /** Hands a throwable from a user callback to the loop's exception handler. */
    void handle(Throwable error);
}
