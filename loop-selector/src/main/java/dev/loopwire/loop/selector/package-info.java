// SPDX-License-Identifier: Apache-2.0
/**
 * The selector loop, {@link dev.loopwire.loop.selector.SelectorLoop}: one thread driving one
 * {@link java.nio.channels.Selector}, offering {@link dev.loopwire.loop.FdReadiness} and
 * {@link dev.loopwire.loop.Timers} on every platform the JDK supports.
 *
 * <p>It is also found by {@link dev.loopwire.loop.EventLoops} under the name {@code selector}.
 */
package dev.loopwire.loop.selector;
