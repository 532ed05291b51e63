// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.sim;

import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.loop.completion.internal.windows.IocpBackend;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Opens a {@link CompletionLoop} whose IOCP backend runs on a {@link SimulatedWinApi} instead of
 * kernel32 and ws2_32: the loop offers {@link dev.loopwire.loop.IocpPort} on any operating
 * system, so that transports written against that capability run their tests where Windows is
 * not. It proves their logic against a model of Microsoft's documentation, not Windows'
 * behaviour.
 *
 * <p><b>Lifecycle.</b> Each loop gets its own simulated port and loopback network unless a
 * simulator is passed in; close the loop as any other.
 *
 * <p><b>Concurrency.</b> Thread-safe; the simulator itself is driven from the loop thread.
 */
public final class SimulatedIocp {

    private SimulatedIocp() {
    }

    /**
     * A completion loop on a new simulated port.
     *
     * @param builder the loop's settings, from {@link CompletionLoop#builder()}
     * @return the running loop
     */
    public static CompletionLoop open(CompletionLoop.Builder builder) {
        return open(builder, new SimulatedWinApi());
    }

    /**
     * A completion loop on the given simulator, which a test keeps to look inside or to inject
     * failures.
     *
     * @param builder the loop's settings, from {@link CompletionLoop#builder()}
     * @param api the simulator; one loop per simulator
     * @return the running loop
     */
    public static CompletionLoop open(CompletionLoop.Builder builder, SimulatedWinApi api) {
        try {
            return IocpBackend.open(builder, api);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
