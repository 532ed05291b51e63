// SPDX-License-Identifier: Apache-2.0
/**
 * A third-party event loop as a user writes it: {@link com.example.simloop.SimLoop}, a
 * deterministic loop with virtual time and an in-memory network, for simulations and tests.
 *
 * <p>It offers {@link dev.loopwire.loop.Timers} (virtual), so any transport that needs only
 * timers and UDP (such as the heartbeat example's {@code UdpHeartbeatProvider}) runs on it
 * unchanged. It carries its own implementation of {@code dev.loopwire.transport.udp.bind}, on
 * datagram sockets of the in-memory network: the first step of the double dispatch, so {@code Udp.bind(..., simLoop)} never touches a real socket. That is why this loop
 * module, unlike loopwire's own loops, requires a transport module.
 *
 * @provides dev.loopwire.loop.spi.EventLoopProvider the {@code simulated} kind, priority -10, so
 *     that {@code EventLoops.open()} never picks it over a real loop
 */
module com.example.simloop {
    requires transitive dev.loopwire.loop;
    requires dev.loopwire.transport.udp;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    exports com.example.simloop;

    provides dev.loopwire.loop.spi.EventLoopProvider with com.example.simloop.internal.SimLoopProvider;
}
