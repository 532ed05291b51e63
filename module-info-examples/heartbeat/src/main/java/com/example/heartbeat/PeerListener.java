// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat;

import java.net.InetSocketAddress;

/**
 * Told when a watched peer goes up (its first beat, or the first after it was down) or down
 * ({@value Heartbeat#MISSED_BEATS_FOR_DOWN} intervals without a beat).
 *
 * <p><b>Concurrency.</b> Called on the endpoint's loop thread, never concurrently; calls for one
 * peer always alternate up, down, up.
 */
public interface PeerListener {

    /** The peer's beats arrive. */
    void up(InetSocketAddress peer);

    /** The peer fell silent. */
    void down(InetSocketAddress peer);
}
