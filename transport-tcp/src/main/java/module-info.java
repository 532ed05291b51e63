// SPDX-License-Identifier: Apache-2.0
/**
 * TCP on any loopwire event loop, the proposal's {@code create_connection}:
 * {@link dev.loopwire.transport.tcp.Tcp#connect} and {@link dev.loopwire.transport.tcp.Tcp#listen},
 * resolved through the transport registry under {@link dev.loopwire.transport.tcp.Tcp#OPEN}.
 *
 * <p>Only {@code dev.loopwire.transport.tcp} is exported. The providers and the core they share
 * (write queue, water marks, half-close state machine, handler guards) live in the unexported
 * {@code dev.loopwire.transport.tcp.internal} package and are reached through
 * {@link java.util.ServiceLoader}.
 *
 * @provides dev.loopwire.transport.spi.TransportProvider the readiness provider, for loops that
 *     offer {@code FdReadiness} (directly, or through the selector-thread adapter), and the
 *     io_uring provider, for loops that offer {@code UringPort}, and the IOCP provider, for loops that
 *     offer {@code IocpPort}
 */
module dev.loopwire.transport.tcp {
    requires transitive dev.loopwire.transport;
    // TCP_KEEPIDLE / TCP_KEEPINTERVAL / TCP_KEEPCOUNT (jdk.net.ExtendedSocketOptions); in every JDK.
    requires jdk.net;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    exports dev.loopwire.transport.tcp;

    provides dev.loopwire.transport.spi.TransportProvider
            with dev.loopwire.transport.tcp.internal.ReadinessTcpProvider,
                 dev.loopwire.transport.tcp.internal.UringTcpProvider,
                 dev.loopwire.transport.tcp.internal.IocpTcpProvider;
}
