// SPDX-License-Identifier: Apache-2.0
/**
 * The selector loop: one thread driving one {@link java.nio.channels.Selector}, offering
 * {@link dev.loopwire.loop.FdReadiness} and {@link dev.loopwire.loop.Timers}.
 *
 * <p>Open one with {@code SelectorLoop.open()}, or by name with
 * {@code EventLoops.open("selector")}.
 *
 * @provides dev.loopwire.loop.spi.EventLoopProvider
 */
module dev.loopwire.loop.selector {
    requires transitive dev.loopwire.loop;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    exports dev.loopwire.loop.selector;

    provides dev.loopwire.loop.spi.EventLoopProvider
            with dev.loopwire.loop.selector.internal.SelectorLoopProvider;
}
