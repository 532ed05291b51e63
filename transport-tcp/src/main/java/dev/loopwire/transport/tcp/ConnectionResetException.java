// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import java.net.SocketException;

/**
 * The peer reset the connection ({@code ECONNRESET}, or {@code EPIPE} on a write after the
 * reset): bytes still queued were dropped. Reported to {@link StreamHandler#onError}, followed
 * by {@link StreamHandler#onClose}.
 */
public class ConnectionResetException extends SocketException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the connection, and the system's error as cause.
     *
     * @param message what happened, naming the connection and the remedy
     * @param cause the system's error
     */
    public ConnectionResetException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
