// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

/**
 * A send or another operation reached an endpoint after {@link DatagramEndpoint#close()}. The
 * datagram was not sent.
 */
public class EndpointClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the endpoint.
     *
     * @param message the message: the endpoint and the remedy
     */
    public EndpointClosedException(String message) {
        super(message);
    }
}
