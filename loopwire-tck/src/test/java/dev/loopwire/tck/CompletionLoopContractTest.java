// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.completion.CompletionLoop;
import java.util.function.Consumer;

/** loopwire's completion loop (io_uring here) keeps the event-loop contract. */
class CompletionLoopContractTest extends EventLoopContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        RequireIoUring.check();
        return CompletionLoop.builder().exceptionHandler(exceptionHandler).open();
    }

    @Override
    protected EventLoop openBoundedLoop(int maxPendingTasks, Consumer<Throwable> exceptionHandler) {
        RequireIoUring.check();
        return CompletionLoop.builder().maxPendingTasks(maxPendingTasks).exceptionHandler(exceptionHandler).open();
    }
}
