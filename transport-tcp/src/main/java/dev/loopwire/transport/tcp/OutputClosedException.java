// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

/**
 * A write reached a connection whose output is closed: after
 * {@link TcpConnection#shutdownOutput()}, {@link TcpConnection#close()},
 * {@link TcpConnection#abort()}, or once the connection ended. The bytes were not taken; the
 * message says which of these happened.
 */
public class OutputClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the connection and the reason.
     *
     * @param message the message, naming the connection and why it no longer writes
     */
    public OutputClosedException(String message) {
        super(message);
    }
}
