// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.completion.CompletionLoop;
import java.util.function.Consumer;

/** UDP on loopwire's completion loop (io_uring, the completion provider) keeps the datagram contract. */
class CompletionDatagramContractTest extends DatagramContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        RequireIoUring.check();
        return CompletionLoop.builder().exceptionHandler(exceptionHandler).open();
    }
}
