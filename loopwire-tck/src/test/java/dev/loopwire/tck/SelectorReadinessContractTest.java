// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.selector.SelectorLoop;
import java.util.function.Consumer;

/** loopwire's selector loop keeps the FdReadiness contract. */
class SelectorReadinessContractTest extends FdReadinessContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        return SelectorLoop.builder().exceptionHandler(exceptionHandler).open();
    }
}
