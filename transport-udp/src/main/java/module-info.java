// SPDX-License-Identifier: Apache-2.0
/**
 * UDP on any loopwire event loop: {@link dev.loopwire.transport.udp.Udp#bind} /
 * {@link dev.loopwire.transport.udp.Udp#connect}, resolved through the transport registry to a
 * readiness-based provider (loops offering {@link dev.loopwire.loop.FdReadiness}) or completion
 * ones written against the public raw capabilities (loops offering {@link dev.loopwire.loop.UringPort}
 * or {@link dev.loopwire.loop.IocpPort}).
 *
 * <p>Only {@code dev.loopwire.transport.udp} is exported; the providers live in the unexported
 * {@code dev.loopwire.transport.udp.internal} package and are reached through
 * {@link java.util.ServiceLoader}.
 *
 * @provides dev.loopwire.transport.spi.TransportProvider
 */
module dev.loopwire.transport.udp {
    requires transitive dev.loopwire.transport;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    exports dev.loopwire.transport.udp;

    provides dev.loopwire.transport.spi.TransportProvider
            with dev.loopwire.transport.udp.internal.ReadinessUdpProvider,
                 dev.loopwire.transport.udp.internal.UringUdpProvider,
                 dev.loopwire.transport.udp.internal.IocpUdpProvider;
}
