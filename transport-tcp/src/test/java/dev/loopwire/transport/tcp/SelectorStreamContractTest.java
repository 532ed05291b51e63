package dev.loopwire.transport.tcp;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;

/** The stream contract on the selector loop, where {@code ReadinessTcpProvider} fits directly. */
class SelectorStreamContractTest extends StreamContract {

    @Override
    protected EventLoop openLoop() {
        return EventLoops.open("selector");
    }
}
