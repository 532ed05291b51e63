// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.selector.SelectorLoop;
import java.util.function.Consumer;

/** UDP on loopwire's selector loop (the readiness provider) keeps the datagram contract. */
class SelectorDatagramContractTest extends DatagramContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        return SelectorLoop.builder().exceptionHandler(exceptionHandler).open();
    }
}
