// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import dev.loopwire.loop.EventLoop;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * A listening TCP socket driven by an event loop: it accepts connections and gives each a
 * handler from the factory passed to {@link Tcp#listen}.
 *
 * <p><b>Lifecycle.</b> Listening when {@link Tcp#listen} completes. {@link #close()} stops
 * accepting and releases the port: once its stage completes, the address can be bound again.
 * Connections already accepted are not closed with it; close them yourself.
 *
 * <p><b>Failures.</b> If the handler factory throws or returns {@code null}, the accepted
 * socket is reset and the problem goes to the loop's exception handler; so does a failed
 * {@code accept} (for instance out of file descriptors), after which accepting pauses for
 * 100 ms so that the loop does not spin.
 *
 * <p><b>Concurrency.</b> Every method may be called from any thread.
 */
public interface TcpListener {

    /**
     * The bound address, with the port chosen if port 0 was asked; never {@code null}.
     *
     * @return the bound address
     */
    InetSocketAddress localAddress();

    /**
     * Stops accepting: new connections wait in the system's backlog (and are refused once it is
     * full) until {@link #resumeAccepting()}.
     */
    void pauseAccepting();

    /** Accepts again after {@link #pauseAccepting()}; a no-op when accepting. */
    void resumeAccepting();

    /**
     * Stops listening and releases the port. A second call returns the same stage.
     *
     * @return completes once the listening socket is closed
     */
    CompletionStage<Void> close();

    /**
     * Whether {@link #close()} has been called.
     *
     * @return whether the listener is closed or closing
     */
    boolean isClosed();

    /**
     * The loop that drives this listener and the connections it accepts; never {@code null}.
     *
     * @return the loop
     */
    EventLoop loop();
}
