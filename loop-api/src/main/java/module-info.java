/**
 * The event loop API of loopwire: what a loop is ({@link dev.loopwire.loop.EventLoop}),
 * what it can do ({@link dev.loopwire.loop.Capability} and the standard capabilities
 * {@link dev.loopwire.loop.FdReadiness}, {@link dev.loopwire.loop.Timers}, and the raw
 * completion capabilities {@link dev.loopwire.loop.UringPort} and
 * {@link dev.loopwire.loop.IocpPort}), how transports are named
 * ({@link dev.loopwire.loop.TransportKey}) and how loops are found
 * ({@link dev.loopwire.loop.EventLoops}).
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
