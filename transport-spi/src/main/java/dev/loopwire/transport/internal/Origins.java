// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.internal.CodeOwners;

/**
 * Who a class comes from, for the trust rule: its named module, or on the class path its code
 * source (the jar or folder it was loaded from).
 *
 * <p>On the class path a package is no boundary: any jar can put a class into
 * {@code dev.loopwire.transport.udp.internal}. The code source is what the user chose to put
 * on the path, so two classes share an owner only when they come from the same jar or folder.
 *
 * <p>Stateless and thread-safe.
 */
final class Origins {

    private Origins() {
    }

    /** Whether two classes come from the same owner; see {@link CodeOwners#same}. */
    static boolean same(Class<?> a, Class<?> b) {
        return CodeOwners.same(a, b);
    }

    /**
     * Whether {@code adapterOrProvider} ships in loopwire's own registry module (transport-spi)
     * and {@code capability} is one of loop-api's standard capabilities. loopwire's two core
     * modules are released together; the registry module is trusted for the capabilities of
     * loop-api as if it owned them. No other module can claim this: the test is on the classes'
     * module (or jar), not on a name.
     */
    static boolean isLoopwiresOwn(Class<?> adapterOrProvider, Class<?> capability) {
        return same(adapterOrProvider, Origins.class) && same(capability, Capability.class);
    }

    /** The owner's name for messages: the module name, or the jar or folder on the class path. */
    static String describe(Class<?> type) {
        return CodeOwners.describe(type);
    }
}
