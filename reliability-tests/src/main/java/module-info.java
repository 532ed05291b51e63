/**
 * loopwire's reliability and security tests, run as a user's module: it sees only the exported
 * API, and ships two providers of its own to attack the registry with — one that records every
 * call made to it, and one that tries to take over the standard UDP key.
 *
 * @provides dev.loopwire.transport.spi.TransportProvider a recording provider and a hijacker
 */
module dev.loopwire.reliability {
    requires dev.loopwire.transport.udp;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.
    requires java.management; // The load test reads heap use through MemoryMXBean.

    exports dev.loopwire.reliability.probe;

    provides dev.loopwire.transport.spi.TransportProvider with
        dev.loopwire.reliability.probe.RecordingProvider,
        dev.loopwire.reliability.probe.HijackingUdpProvider;
}
