// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.selector.SelectorLoop;
import java.util.function.Consumer;

/** loopwire's selector loop keeps the event-loop contract. */
class SelectorLoopContractTest extends EventLoopContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        return SelectorLoop.builder().exceptionHandler(exceptionHandler).open();
    }

    @Override
    protected EventLoop openBoundedLoop(int maxPendingTasks, Consumer<Throwable> exceptionHandler) {
        return SelectorLoop.builder().maxPendingTasks(maxPendingTasks).exceptionHandler(exceptionHandler).open();
    }
}
