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

    /** Rethrows {@code t} from a task on {@code loop}, so that its exception handler sees it; logs it if the loop is closed. */
    static void toLoop(EventLoop loop, Throwable t, String what) {
        try {
            loop.execute(() -> {
                throw Guards.<RuntimeException>sneaky(t);
            });
        } catch (RejectedExecutionException closed) {
            LOG.log(System.Logger.Level.WARNING, what + " on closed loop '" + loop.name() + "'", t);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
