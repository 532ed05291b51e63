// SPDX-License-Identifier: Apache-2.0
/**
 * A third-party transport as a user writes it: UDP heartbeats between peers, reporting each peer
 * up or down. It owns its key, {@code com.example.heartbeat.open}, and ships three providers: one
 * per capability it can drive itself, and one over whatever UDP the loop has, so it runs on any
 * loop with {@code Timers}.
 *
 * <p>Open it with {@link com.example.heartbeat.Heartbeat#open}.
 *
 * @provides dev.loopwire.transport.spi.TransportProvider
 *     {@code ReadinessHeartbeatProvider} (FdReadiness + Timers), {@code UringHeartbeatProvider}
 *     (UringPort + Timers: its own UDP over PosixCalls and io_uring operations) and
 *     {@code UdpHeartbeatProvider} (Timers, over {@code Udp.bind}; ranked last)
 */
module com.example.heartbeat {
    requires transitive dev.loopwire.transport;
    requires dev.loopwire.transport.udp;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    exports com.example.heartbeat;

    provides dev.loopwire.transport.spi.TransportProvider
            with com.example.heartbeat.internal.ReadinessHeartbeatProvider,
                 com.example.heartbeat.internal.UringHeartbeatProvider,
                 com.example.heartbeat.internal.UdpHeartbeatProvider;
}
