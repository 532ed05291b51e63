// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The libc calls behind {@link Posix}, bound with JNA direct mapping; memory is passed as Java
 * arrays (copied in and out by JNA for the call), so no native memory is managed here.
 *
 * <p>Thread-safe.
 */
final class PosixLibC {

    static {
        Native.register(PosixLibC.class, Platform.C_LIBRARY_NAME);
    }

    private PosixLibC() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int pipe2(int[] fds, int flags);

    static native int setsockopt(int fd, int level, int name, byte[] value, int length);

    static native int getsockopt(int fd, int level, int name, byte[] value, int[] length);

    static native int bind(int fd, byte[] address, int length);

    static native int connect(int fd, byte[] address, int length);

    static native int listen(int fd, int backlog);

    static native int getsockname(int fd, byte[] address, int[] length);

    static native int getpeername(int fd, byte[] address, int[] length);

    static native int shutdown(int fd, int how);

    static native int close(int fd);
}
