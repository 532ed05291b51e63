// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Opens heartbeat endpoints on one loop: the implementation behind {@link Heartbeat#OPEN}, one
 * per loop, created by a provider. Callers use {@link Heartbeat#open}, which checks the
 * arguments.
 *
 * <p><b>Concurrency.</b> Implementations are thread-safe.
 */
@FunctionalInterface
public interface HeartbeatOpener {

    /**
     * Binds {@code local} and starts beating.
     *
     * @return completes with the endpoint once it is bound and its first tick is scheduled
     */
    CompletionStage<Presence> open(InetSocketAddress local, Duration interval, PeerListener listener);
}
