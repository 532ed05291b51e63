// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

/**
 * A datagram is larger than UDP or the endpoint allows: 65,507 bytes of payload over IPv4,
 * 65,527 over IPv6, or {@link UdpOptions#maxDatagramSize()} if smaller. The endpoint is
 * unaffected.
 */
public class DatagramTooLargeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the size, the limit and the remedy.
     *
     * @param message the message: the size, the limit and the remedy
     */
    public DatagramTooLargeException(String message) {
        super(message);
    }
}
