// SPDX-License-Identifier: Apache-2.0
package com.example.simloop;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.tck.DatagramContract;
import java.util.function.Consumer;

/** The simulated loop's own UDP (its in-memory network) keeps loopwire's datagram contract. */
class SimLoopDatagramContractTest extends DatagramContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        return SimLoop.builder().exceptionHandler(exceptionHandler).open();
    }
}
