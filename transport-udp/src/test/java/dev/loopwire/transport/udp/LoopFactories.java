// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The loops every endpoint contract test runs on. To run the suite on another loop, add one
 * line here. The completion loop skips (or, with {@code -Dloopwire.require=io_uring}, fails) where
 * io_uring is unavailable; see {@link RequireIoUring}.
 *
 * <p>Loops are opened by name through {@link EventLoops}, not by class: the loop modules are
 * test dependencies on the module path, which this module does not read.
 */
final class LoopFactories {

    private LoopFactories() {
    }

    static Stream<Named<Supplier<EventLoop>>> all() {
        return Stream.of(
                Named.of("selector", () -> EventLoops.open("selector")),
                Named.of("completion", RequireIoUring::open));
    }
}
