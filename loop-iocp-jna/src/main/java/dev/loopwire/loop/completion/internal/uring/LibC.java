// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc functions the io_uring backend needs, bound with JNA direct mapping (the
 * cheapest JNA call). Pointers are passed as {@code long} addresses; errors are read with
 * {@link #errno()} right after a call returns -1, which allocates nothing.
 *
 * <p>Thread-safe (errno is per thread).
 */
final class LibC {

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int SHUT_RDWR = 2;

    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    static final int PROT_READ_WRITE = 0x3;
    static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, long address, int length);

    static native int connect(int fd, long address, int length);

    static native int setsockopt(int fd, int level, int name, long value, int length);

    static native int getsockopt(int fd, int level, int name, long value, long lengthAddress);

    static native int getsockname(int fd, long address, long lengthAddress);

    static native int shutdown(int fd, int how);

    static native int close(int fd);

    static native int eventfd(int initial, int flags);

    static native int eventfd_write(int fd, long value);

    static native long mmap(long address, long length, int protection, int flags, int fd, long offset);

    static native int munmap(long address, long length);

    // syscall(2) is variadic; on x86_64 and aarch64 passing six longs is the same call.
    static native long syscall(long number, long a, long b, long c, long d, long e, long f);

    /** The errno of this thread's last JNA call. */
    static int errno() {
        return Native.getLastError();
    }
}
