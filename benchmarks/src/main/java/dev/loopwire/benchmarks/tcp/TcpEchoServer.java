// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A single-threaded TCP echo server of the TCP harness: every byte it reads on a connection goes
 * back on that connection, in order. While a connection's peer does not read, the server stops
 * reading from it (back-pressure through its write queue), so memory stays bounded.
 *
 * <p>Lifecycle: {@link #start()} listens and starts the server's one I/O thread, which also
 * accepts; {@link #close()} stops it, closes the listener and every connection, and returns once
 * the thread is gone. A server is started at most once.
 *
 * <p>Thread-safety: {@code start} and {@code close} may be called from any thread, but not
 * concurrently with each other.
 */
public interface TcpEchoServer extends AutoCloseable {

    /**
     * Binds, listens and starts serving.
     *
     * @return the bound address, with the real port when port 0 was asked for
     * @throws IOException if the socket cannot be opened, bound or listened on
     */
    InetSocketAddress start() throws IOException;

    /** Stops serving and releases every socket; waits (bounded) for the I/O thread to end. */
    @Override
    void close();
}
