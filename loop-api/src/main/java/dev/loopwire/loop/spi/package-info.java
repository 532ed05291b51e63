// SPDX-License-Identifier: Apache-2.0
/**
 * The service-provider interface for loop authors: {@link dev.loopwire.loop.spi.EventLoopProvider}
 * makes a kind of loop discoverable by {@link dev.loopwire.loop.EventLoops}, and
 * {@link dev.loopwire.loop.spi.CurrentLoop} lets a loop tell
 * {@link dev.loopwire.loop.EventLoops#current()} which thread it runs on.
 *
 * <p>Applications do not need this package.
 */
package dev.loopwire.loop.spi;
