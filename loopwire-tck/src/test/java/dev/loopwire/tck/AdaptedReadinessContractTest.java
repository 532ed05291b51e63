// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.transport.spi.CapabilityAdapter;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * The selector-thread adapter keeps the FdReadiness contract on the completion loop: the facet
 * that UDP (and later TCP) gets there when no completion provider fits.
 */
class AdaptedReadinessContractTest extends FdReadinessContract {

    @Override
    protected EventLoop openLoop(Consumer<Throwable> exceptionHandler) {
        RequireIoUring.check();
        return CompletionLoop.builder().exceptionHandler(exceptionHandler).open();
    }

    @Override
    protected FdReadiness readiness(EventLoop loop) {
        @SuppressWarnings("rawtypes")
        CapabilityAdapter adapter = ServiceLoader.load(CapabilityAdapter.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(a -> a.getClass().getName().equals("dev.loopwire.transport.internal.SelectorThreadAdapter"))
                .findFirst().orElseThrow(() -> new AssertionError("loopwire's SelectorThreadAdapter is not installed"));
        return (FdReadiness) adapter.adapt(loop);
    }
}
