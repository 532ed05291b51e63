// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A single-threaded UDP echo server of the echo harness: every datagram it receives goes back,
 * byte for byte, to its sender.
 *
 * <p>Lifecycle: {@link #start()} binds the socket and starts the server's one I/O thread;
 * {@link #close()} stops it, closes the socket, and returns once the thread is gone. A server is
 * started at most once.
 *
 * <p>Thread-safety: {@code start} and {@code close} may be called from any thread, but not
 * concurrently with each other.
 */
public interface EchoServer extends AutoCloseable {

    /**
     * Binds the socket and starts serving.
     *
     * @return the bound address, with the real port when port 0 was asked for
     * @throws IOException if the socket cannot be opened or bound
     */
    InetSocketAddress start() throws IOException;

    /** Stops serving and releases the socket; waits (bounded) for the I/O thread to end. */
    @Override
    void close();
}
