/**
 * The selector loop: one thread driving one {@link java.nio.channels.Selector}, offering
 * {@link dev.loopwire.loop.FdReadiness} and {@link dev.loopwire.loop.Timers}.
 *
 * @provides dev.loopwire.loop.spi.EventLoopProvider
 */
module dev.loopwire.loop.selector {
    requires transitive dev.loopwire.loop;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

}
