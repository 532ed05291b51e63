// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

/**
 * An address an endpoint cannot use: unresolved, not an {@link java.net.InetSocketAddress},
 * port 0 as a destination, an address family the socket cannot reach, or not the connected
 * peer. The endpoint is unaffected.
 */
public class InvalidAddressException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the address and the remedy.
     *
     * @param message the message: the address in quotes and the remedy
     */
    public InvalidAddressException(String message) {
        super(message);
    }
}
