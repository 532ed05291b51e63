// SPDX-License-Identifier: Apache-2.0
/**
 * The transport registry of loopwire: {@link dev.loopwire.transport.Transports} resolves the
 * implementation of a transport for an event loop (the double dispatch), and the SPI
 * {@link dev.loopwire.transport.spi.TransportProvider} is how a module offers one.
 *
 * <p><b>For transport authors.</b> A provider names its key and the capabilities it requires,
 * and gets the loop in {@link dev.loopwire.transport.spi.TransportProvider#create create}. When
 * it fits only through a {@link dev.loopwire.transport.spi.CapabilityAdapter}, that loop is a
 * view offering the adapted capability: use
 * {@link dev.loopwire.transport.spi.CapabilityAdapter#baseLoop CapabilityAdapter.baseLoop} for
 * the loop the user sees (an endpoint's {@code loop()}, equality, logs).
 * {@link dev.loopwire.transport.Transports#explain Transports.explain} shows how a key resolves
 * on a loop and why each candidate was passed over.
 *
 * @uses dev.loopwire.transport.spi.TransportProvider
 * @uses dev.loopwire.transport.spi.CapabilityAdapter
 * @provides dev.loopwire.transport.spi.CapabilityAdapter the selector-thread adapter that offers
 *     {@code FdReadiness} on completion loops
 */
module dev.loopwire.transport {
    requires transitive dev.loopwire.loop;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    exports dev.loopwire.transport;
    exports dev.loopwire.transport.spi;

    uses dev.loopwire.transport.spi.TransportProvider;
    uses dev.loopwire.transport.spi.CapabilityAdapter;

    provides dev.loopwire.transport.spi.CapabilityAdapter
        with dev.loopwire.transport.internal.SelectorThreadAdapter;
}
