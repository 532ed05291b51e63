// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import java.nio.ByteBuffer;

/**
 * What a {@link TcpConnection} reports: opening, data, the peer's end of input, writability,
 * errors and closing. Every callback gets the connection first, so one handler instance may
 * serve many connections.
 *
 * <p><b>Lifecycle.</b> {@link #onOpen} comes first (before the stage of {@link Tcp#connect}
 * completes); then any number of {@link #onData}, {@link #onWritabilityChanged} and
 * {@link #onError}, at most one {@link #onEndOfInput}; {@link #onClose} comes last, exactly
 * once. If a connect fails, no callback runs: the stage fails instead.
 *
 * <p><b>Concurrency and failures.</b> Every callback runs on the connection's loop thread, never
 * concurrently. Whatever a callback throws, {@link Error}s such as {@link StackOverflowError}
 * included, is passed to {@link #onError} and the connection goes on; what {@code onError} or
 * {@code onClose} throws goes to the loop's exception handler. A throwing
 * {@link #onEndOfInput} counts as returning {@code false}.
 */
public interface StreamHandler {

    /**
     * The connection is established and reading.
     *
     * @param connection the connection, now open
     * @implSpec The default does nothing.
     */
    default void onOpen(TcpConnection connection) {
    }

    /**
     * Bytes arrived.
     *
     * @param data the bytes, from position to limit, in a read-only buffer that belongs to the
     *     loop and is reused for the next read of any connection: valid during this call only, so
     *     copy what you keep ({@link TcpConnection#write} copies what it cannot send at once;
     *     {@link TcpConnection#writeNoCopy} refuses it)
     * @param connection the connection the bytes arrived on
     */
    void onData(TcpConnection connection, ByteBuffer data);

    /**
     * The peer shut down its output (its FIN arrived): no more data will come. The connection
     * stops reading.
     *
     * @param connection the connection whose peer sent its FIN
     * @return {@code true} to stay half-open and keep writing (then close with
     *     {@link TcpConnection#close()} or {@link TcpConnection#shutdownOutput()}, which closes
     *     once the FIN is sent); {@code false} to close gracefully (queued writes are flushed
     *     first)
     * @implSpec The default returns {@code false}.
     */
    default boolean onEndOfInput(TcpConnection connection) {
        return false;
    }

    /**
     * The write queue rose above the high water mark or refused a write at its hard bound
     * ({@code writable} is {@code false}: stop writing), or drained to the low water mark
     * ({@code true}: go on). Calls alternate, starting with {@code false}.
     *
     * @param connection the connection
     * @param writable {@code true} once the queue fell to the low water mark, {@code false} once
     *     it rose above the high one or a write was refused
     * @implSpec The default does nothing.
     */
    default void onWritabilityChanged(TcpConnection connection, boolean writable) {
    }

    /**
     * Something went wrong: a failure that ends the connection ({@link ConnectionResetException},
     * another {@link java.io.IOException}; {@link #onClose} follows), or a throwable from another
     * callback of this handler (the connection goes on).
     *
     * @param connection the connection
     * @param error what was thrown or went wrong
     * @implSpec The default rethrows {@code error} if it is unchecked, else wraps it, so that the
     *     loop's exception handler logs it.
     */
    default void onError(TcpConnection connection, Throwable error) {
        if (error instanceof RuntimeException e) {
            throw e;
        }
        if (error instanceof Error e) {
            throw e;
        }
        if (error instanceof java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new RuntimeException(error);
    }

    /**
     * The connection is closed: its socket is released and nothing else will be reported.
     *
     * @param connection the connection, now closed
     * @implSpec The default does nothing.
     */
    default void onClose(TcpConnection connection) {
    }
}
