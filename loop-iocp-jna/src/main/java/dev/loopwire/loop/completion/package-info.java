// SPDX-License-Identifier: Apache-2.0
/**
 * The completion loop, {@link dev.loopwire.loop.completion.CompletionLoop}: one thread driving one
 * native completion queue through JNA (io_uring on Linux, IOCP on Windows), offering
 * {@link dev.loopwire.loop.Timers} and the raw capability of its mechanism,
 * {@link dev.loopwire.loop.UringPort} or {@link dev.loopwire.loop.IocpPort}.
 *
 * <p>{@link dev.loopwire.loop.completion.IoUring} and {@link dev.loopwire.loop.completion.Iocp} say whether
 * each backend can run here, and why not. {@link dev.loopwire.loop.EventLoops} finds this loop
 * under the name {@code completion}, and under the name of the backend it runs on here
 * ({@code io_uring} or {@code iocp}).
 */
package dev.loopwire.loop.completion;
