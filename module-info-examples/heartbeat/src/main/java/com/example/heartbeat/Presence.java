// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat;

import dev.loopwire.loop.EventLoop;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * An open heartbeat endpoint: a bound UDP socket that beats at the peers it watches and tracks
 * which of them are up.
 *
 * <p><b>Lifecycle.</b> Open when {@link Heartbeat#open} completes; {@link #close()} stops the
 * beats and releases the socket. Beats from peers that are not watched are counted and ignored,
 * so a stranger cannot make the endpoint grow.
 *
 * <p><b>Concurrency.</b> Every method may be called from any thread.
 */
public interface Presence {

    /** The bound address; never {@code null}. */
    InetSocketAddress localAddress();

    /**
     * Starts beating at {@code peer} and tracking it; watching a peer twice is a no-op.
     *
     * @throws IllegalArgumentException if the address is unresolved or its port is 0
     */
    void watch(InetSocketAddress peer);

    /** The watched peers that are up now; a snapshot, never {@code null}. */
    Set<InetSocketAddress> up();

    /** Beats sent so far. */
    long beatsSent();

    /** Beats received from watched peers so far. */
    long beatsReceived();

    /** Datagrams ignored so far: not a beat, or from a peer that is not watched. */
    long ignored();

    /** The loop that drives this endpoint. */
    EventLoop loop();

    /** Stops beating and closes the socket; a second call returns the same stage. */
    CompletionStage<Void> close();
}
