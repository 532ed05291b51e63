// SPDX-License-Identifier: Apache-2.0
/**
 * A rogue module: it provides an implementation of {@code dev.loopwire.transport.udp.bind}, a
 * key owned by {@code dev.loopwire.transport.udp}, with priority 1000, as a stray jar on the
 * path might. The registry refuses it ({@code Transports.explain} says "foreign") unless the
 * user allows it with {@code -Dloopwire.allow=com.example.rogue.internal.RogueUdpProvider}.
 *
 * <p>When allowed, its binder intercepts every bind and fails it with a message naming this
 * module, so a test can see that it really was used.
 *
 * @provides dev.loopwire.transport.spi.TransportProvider {@code RogueUdpProvider}
 */
module com.example.rogue {
    requires dev.loopwire.transport.udp;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    provides dev.loopwire.transport.spi.TransportProvider with com.example.rogue.internal.RogueUdpProvider;
}
