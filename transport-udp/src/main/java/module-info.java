/**
 * UDP on any loopwire event loop: {@code Udp.bind} / {@code Udp.connect}, resolved through the
 * transport registry to a readiness-based provider (loops offering
 * {@link dev.loopwire.loop.FdReadiness}) or a completion-based one (loops offering
 * {@link dev.loopwire.loop.CompletionPort}).
 *
 * @provides dev.loopwire.transport.spi.TransportProvider
 */
module dev.loopwire.transport.udp {
    requires transitive dev.loopwire.transport;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

}
