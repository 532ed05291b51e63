/**
 * The transport registry of loopwire: {@link dev.loopwire.transport.Transports} resolves the
 * implementation of a transport for an event loop (the double dispatch), and the SPI
 * {@link dev.loopwire.transport.spi.TransportProvider} is how a module offers one.
 *
 * @uses dev.loopwire.transport.spi.TransportProvider
 * @uses dev.loopwire.transport.spi.CapabilityAdapter
 */
module dev.loopwire.transport {
    requires transitive dev.loopwire.loop;

    exports dev.loopwire.transport;
    exports dev.loopwire.transport.spi;

    uses dev.loopwire.transport.spi.TransportProvider;
    uses dev.loopwire.transport.spi.CapabilityAdapter;
}
