// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Memory;
import dev.loopwire.loop.completion.internal.NativeMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Finds out whether io_uring works here by setting up a small ring and tearing it down, and
 * says why not in words a person can act on.
 *
 * <p>Stateless; callers cache the answer.
 */
public final class UringProbe {

    private static final Path DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");

    private UringProbe() {
    }

    /** {@code null} if io_uring works here, else why not. */
    public static String unavailableReason() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "io_uring needs Linux; os.name is '" + os + "'";
        }
        try {
            return probe();
        } catch (LinkageError e) {
            return "JNA could not bind libc: " + e;
        }
    }

    private static String probe() {
        Memory params = NativeMemory.allocate(120);
        try {
            long fd = LibC.syscall(LibC.SYS_IO_URING_SETUP, 4, NativeMemory.address(params), 0, 0, 0, 0);
            if (fd < 0) {
                return explain(LibC.errno());
            }
            int features = params.getInt(20);
            LibC.close((int) fd);
            if ((features & Ring.FEAT_EXT_ARG) == 0) {
                return "io_uring lacks IORING_FEAT_EXT_ARG (Linux 5.11); kernel is " + System.getProperty("os.version");
            }
        } finally {
            NativeMemory.free(params);
        }
        try {
            Ring.open(4, 8).close();
        } catch (IOException e) {
            return "io_uring ring setup failed: " + e.getMessage();
        }
        return null;
    }

    static String explain(int errno) {
        String call = "io_uring_setup returned " + Errno.describe(errno);
        String disabled = readDisabled();
        switch (errno) {
            case Errno.ENOSYS:
                return call + ": the kernel (" + System.getProperty("os.version")
                        + ") is older than 5.1 or was built without io_uring";
            case Errno.EPERM:
            case 13: // EACCES
                if (disabled != null && !disabled.equals("0")) {
                    return call + ": kernel.io_uring_disabled is " + disabled
                            + " (1 allows only the io_uring_group, 2 disables io_uring); set it to 0";
                }
                return call + ": blocked by seccomp (container runtimes block io_uring by default) "
                        + "or by kernel.io_uring_disabled";
            default:
                return call;
        }
    }

    private static String readDisabled() {
        try {
            return Files.readString(DISABLED, StandardCharsets.US_ASCII).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
