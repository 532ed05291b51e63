/**
 * A third-party transport as a user writes it: UDP heartbeats between peers, reporting each peer
 * up or down. It owns its key, {@code com.example.heartbeat.open}, and ships two providers, one
 * per capability family, so it runs on any loop that offers either with {@code Timers}: the
 * proposal's {@code posix_udp_implementation} and {@code iocp_udp_implementation}.
 *
 * <p>Open it with {@link com.example.heartbeat.Heartbeat#open}.
 *
 * @provides dev.loopwire.transport.spi.TransportProvider
 *     {@code ReadinessHeartbeatProvider} (FdReadiness + Timers) and
 *     {@code CompletionHeartbeatProvider} (CompletionPort + Timers)
 */
module com.example.heartbeat {
    requires transitive dev.loopwire.transport;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    exports com.example.heartbeat;

    provides dev.loopwire.transport.spi.TransportProvider
            with com.example.heartbeat.internal.ReadinessHeartbeatProvider,
                 com.example.heartbeat.internal.CompletionHeartbeatProvider;
}
