// SPDX-License-Identifier: Apache-2.0
/**
 * The event loop API of loopwire: what a loop is ({@link dev.loopwire.loop.EventLoop}), what
 * it can do ({@link dev.loopwire.loop.Capability}), how transports are named
 * ({@link dev.loopwire.loop.TransportKey}) and how loops are found
 * ({@link dev.loopwire.loop.EventLoops}, {@link dev.loopwire.loop.Plugins}).
 *
 * <p><b>The capabilities.</b> A transport is written against mechanisms, not against a loop
 * class. Each capability is open to any module, loopwire's own transports included:
 * <ul>
 * <li>{@link dev.loopwire.loop.FdReadiness}: watch any {@link java.nio.channels.SelectableChannel}
 *     for readiness (the selector loop; on a completion loop through an adapter);</li>
 * <li>{@link dev.loopwire.loop.UringPort}: register a file descriptor and submit any Linux
 *     io_uring operation on it, with memory the loop pins until the final completion, plus
 *     synchronous {@link dev.loopwire.loop.PosixCalls} for setup;</li>
 * <li>{@link dev.loopwire.loop.IocpPort}: associate a Windows HANDLE or SOCKET and start any
 *     overlapped operation on it, the IOCP counterpart of {@code UringPort}, plus synchronous
 *     {@link dev.loopwire.loop.WinsockCalls} for setup;</li>
 * <li>{@link dev.loopwire.loop.Timers}: run a task after a delay, on the loop thread.</li>
 * </ul>
 * A loop says which it offers in {@link dev.loopwire.loop.EventLoop#capabilities()}, and hands
 * out each as a facet from {@link dev.loopwire.loop.EventLoop#capability(Class)}.
 *
 * <p><b>For loop authors.</b> Implement {@link dev.loopwire.loop.EventLoop} (its javadoc lists
 * the guarantees every loop gives: the errors policy, close hooks, thread confinement), offer
 * the capabilities above that your mechanism can honour, and make the loop discoverable with
 * {@link dev.loopwire.loop.spi.EventLoopProvider}. Call
 * {@link dev.loopwire.loop.spi.CurrentLoop#enter(dev.loopwire.loop.EventLoop) CurrentLoop.enter}
 * first thing on the loop thread (and {@code exit} last): that is how a transport opened from
 * one of your callbacks without naming a loop lands on your loop rather than on the default one.
 *
 * <p><b>For transport authors.</b> Declare a {@link dev.loopwire.loop.TransportKey} in your
 * module, and write {@code TransportProvider}s (module {@code dev.loopwire.transport}) against the
 * capabilities
 * above. A provider that fits a loop only through a capability adapter is created with a view
 * of the loop; {@code CapabilityAdapter.baseLoop(loop)} (in {@code dev.loopwire.transport.spi})
 * gives back the user's loop for everything the user sees.
 *
 * <p>This module depends on {@code java.base} alone, so that any loop and any transport can
 * depend on it without pulling anything else in.
 *
 * @uses dev.loopwire.loop.spi.EventLoopProvider
 */
// "module": the qualified export below names modules built after this one, which javac cannot
// see yet when it compiles loop-api and would warn "module not found" about.
@SuppressWarnings("module")
module dev.loopwire.loop {
    exports dev.loopwire.loop;
    exports dev.loopwire.loop.spi;
    // Shared by loopwire's own loops only: the timer heap, close hooks, task bound and log wording.
    exports dev.loopwire.loop.internal to dev.loopwire.loop.selector, dev.loopwire.loop.completion, dev.loopwire.transport;

    uses dev.loopwire.loop.spi.EventLoopProvider;
}
