// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.Transports;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The entry point of the heartbeat transport: {@link #open} binds a UDP socket on a loop, sends
 * a beat to every watched peer each interval, and reports a peer up when its beats arrive and
 * down after {@value #MISSED_BEATS_FOR_DOWN} intervals of silence.
 *
 * <p>Like every loopwire transport it is a static function that takes the loop: the
 * implementation is {@link Transports#resolve resolved} for the loop under {@link #OPEN}, so the
 * same call runs on a selector loop, a completion loop, or any loop that carries its own.
 *
 * <p>Time is counted in the loop's timer ticks, not read from a clock, so on a loop with virtual
 * time (a simulation) the transport is deterministic.
 *
 * <p><b>Concurrency.</b> Thread-safe.
 */
public final class Heartbeat {

    /** The key of this transport, owned by this module. */
    public static final TransportKey<HeartbeatOpener> OPEN =
            TransportKey.of("com.example.heartbeat.open", HeartbeatOpener.class);

    /** Intervals without a beat after which a peer is reported down. */
    public static final int MISSED_BEATS_FOR_DOWN = 3;

    private static final Duration MIN_INTERVAL = Duration.ofMillis(1);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private Heartbeat() {
    }

    /**
     * Opens a heartbeat endpoint on {@code loop}.
     *
     * @param local the address to bind, resolved; port 0 picks one
     * @param interval time between beats, 1 ms to 1 h
     * @param listener told on the loop thread when a watched peer goes up or down
     * @param loop the loop that drives the endpoint
     * @return completes with the open endpoint, or exceptionally with the operating system's error
     * @throws IllegalArgumentException if the address is unresolved or the interval out of range
     * @throws dev.loopwire.transport.UnsupportedTransportException if no implementation fits the loop
     */
    public static CompletionStage<Presence> open(InetSocketAddress local, Duration interval, PeerListener listener,
            EventLoop loop) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(loop, "loop");
        checkAddress(local, "local");
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("Heartbeat interval '" + interval
                    + "' is out of range; use 1 ms to 1 h");
        }
        return Transports.resolve(loop, OPEN).open(local, interval, listener);
    }

    /** Checks that an address can be bound or beaten at; package-private helpers reuse it. */
    static void checkAddress(InetSocketAddress address, String what) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("Heartbeat " + what + " address '" + address
                    + "' is unresolved; resolve it first (for example new InetSocketAddress(\"127.0.0.1\", port))");
        }
    }
}
