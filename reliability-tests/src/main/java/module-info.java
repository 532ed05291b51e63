// SPDX-License-Identifier: Apache-2.0
/**
 * Reliability and security tests of loopwire: load, soak, bad input and hijack attempts against
 * UDP on every loop. Not published; its main sources are only the fixtures that must be real,
 * discovered providers (a test patched into this module cannot declare {@code provides}).
 *
 * <p>{@code fixtures.RogueUdpProvider} claims the UDP key owned by {@code
 * dev.loopwire.transport.udp}; the registry must refuse it. {@code fixtures.RecordingProvider}
 * records every call made to it, so a test can prove {@code Transports.explain} creates nothing.
 *
 * @provides dev.loopwire.transport.spi.TransportProvider a foreign UDP provider and a recording one
 */
module dev.loopwire.reliability {
    requires dev.loopwire.transport.udp;
    requires dev.loopwire.transport.tcp; // the Attack* tests attack TCP too
    requires dev.loopwire.loop.selector;
    requires dev.loopwire.loop.completion;
    requires java.management; // the Attack* tests read the JVM's direct-memory use
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    provides dev.loopwire.transport.spi.TransportProvider
            with dev.loopwire.reliability.fixtures.RogueUdpProvider,
                 dev.loopwire.reliability.fixtures.RecordingProvider;
}
