// SPDX-License-Identifier: Apache-2.0
/**
 * The event loop as a user sees it: {@link dev.loopwire.loop.EventLoop}, what a loop can do
 * ({@link dev.loopwire.loop.Capability}, with the standard capabilities
 * {@link dev.loopwire.loop.FdReadiness}, the raw completion capabilities
 * {@link dev.loopwire.loop.UringPort} (io_uring) and {@link dev.loopwire.loop.IocpPort} (IOCP),
 * and {@link dev.loopwire.loop.Timers}), how transports are named
 * ({@link dev.loopwire.loop.TransportKey}), and how loops are found and opened
 * ({@link dev.loopwire.loop.EventLoops}, {@link dev.loopwire.loop.Plugins}).
 *
 * <p>Loop authors implement the types of {@link dev.loopwire.loop.spi}; transport authors use
 * the capabilities here through a loop's {@code capability(...)}.
 */
package dev.loopwire.loop;
