// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands a throwable that no handler took to the loop's exception handler, the project's policy
 * for everything a task or handler throws, {@link Error}s included.
 *
 * <p>Stateless and thread-safe.
 */
final class Guards {

    private static final System.Logger LOG = System.getLogger(Guards.class.getName());

    private Guards() {
    }

    /**
     * Throws {@code t} from a task on {@code loop}, so that its exception handler sees it; logs it
     * if the loop is closed. It goes wrapped in a {@link RuntimeException} whose message says what
     * threw and for which connection: the context helps whoever reads the log, and a loop that
     * still treats a {@link VirtualMachineError} thrown by a task as fatal to itself does not end
     * because a user's handler threw one.
     */
    static void toLoop(EventLoop loop, Throwable t, String what) {
        RuntimeException wrapped = new RuntimeException(what + ": " + t, t);
        try {
            loop.execute(() -> {
                throw wrapped;
            });
        } catch (RejectedExecutionException closed) {
            LOG.log(System.Logger.Level.WARNING, what + " on closed loop '" + loop.name() + "'", t);
        }
    }
}
