// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import java.util.Arrays;

/**
 * The io_uring loops alive in this JVM, so that the checks on fds hold JVM-wide: no loop's
 * {@link dev.loopwire.loop.PosixCalls} closes, and no loop registers or targets, another loop's
 * ring or wake-up eventfd, and no loop's {@code PosixCalls} closes an fd registered on any loop
 * (a loop that checked only itself let a second loop close the first one's fds: finding 1, 8).
 *
 * <p>A port joins when its backend is built and leaves only after its ring and eventfd are
 * closed, so a number is never left unguarded while its loop still uses it (for a moment after
 * the close, a reused number may be refused: the safe direction).
 *
 * <p>Thread-safe: a copy-on-write array, read without locks or allocation (the submission path
 * reads it for every operation).
 */
final class LiveLoops {

    private static volatile LoopUringPort[] ports = new LoopUringPort[0];

    private LiveLoops() {
    }

    static synchronized void joined(LoopUringPort port) {
        LoopUringPort[] now = Arrays.copyOf(ports, ports.length + 1);
        now[now.length - 1] = port;
        ports = now;
    }

    static synchronized void left(LoopUringPort port) {
        LoopUringPort[] now = ports;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == port) {
                LoopUringPort[] fewer = Arrays.copyOf(now, now.length - 1);
                System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                ports = fewer;
                return;
            }
        }
    }

    /** The port whose loop owns {@code fd} (its ring or its eventfd), or {@code null}. */
    static LoopUringPort owningLoopFd(int fd) {
        for (LoopUringPort port : ports) {
            if (port.ownsLoopFd(fd)) {
                return port;
            }
        }
        return null;
    }

    /** A port on which {@code fd} is registered, or {@code null}. */
    static LoopUringPort registering(int fd) {
        for (LoopUringPort port : ports) {
            if (port.isRegistered(fd)) {
                return port;
            }
        }
        return null;
    }
}
