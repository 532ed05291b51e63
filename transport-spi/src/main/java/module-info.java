/**
 * The transport registry of loopwire: {@link dev.loopwire.transport.Transports} resolves the
 * implementation of a transport for an event loop (the double dispatch), and the SPI
 * {@link dev.loopwire.transport.spi.TransportProvider} is how a module offers one.
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
