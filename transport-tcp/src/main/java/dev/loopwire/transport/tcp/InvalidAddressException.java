// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

/**
 * An address TCP cannot use: unresolved, not an {@link java.net.InetSocketAddress}, a wildcard,
 * multicast or port-0 remote, or a local and a remote of families one socket cannot join.
 *
 * <p>Thrown before anything is opened; nothing changes.
 */
public class InvalidAddressException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the address and the remedy.
     *
     * @param message the message, naming the address in quotes and the remedy
     */
    public InvalidAddressException(String message) {
        super(message);
    }
}
