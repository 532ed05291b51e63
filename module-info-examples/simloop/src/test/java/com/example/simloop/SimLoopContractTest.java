// SPDX-License-Identifier: Apache-2.0
package com.example.simloop;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.tck.EventLoopContract;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The simulated loop keeps loopwire's event-loop contract, as a third-party loop proves it. */
class SimLoopContractTest extends EventLoopContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        return SimLoop.builder().exceptionHandler(exceptionHandler).open();
    }

    @Override
    protected EventLoop openBoundedLoop(int maxPendingTasks, Consumer<Throwable> exceptionHandler) {
        return SimLoop.builder().maxPendingTasks(maxPendingTasks).exceptionHandler(exceptionHandler).open();
    }

    @Override
    protected void letTimePass(EventLoop loop, Duration delay) throws Exception {
        ((SimLoop) loop).advance(delay).get(10, TimeUnit.SECONDS);
    }
}
