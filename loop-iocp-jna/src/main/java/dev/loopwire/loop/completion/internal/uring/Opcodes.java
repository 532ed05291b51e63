// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Memory;
import dev.loopwire.loop.completion.internal.NativeMemory;

/**
 * What this kernel supports, from one {@code IORING_REGISTER_PROBE} per JVM (cached), and the
 * opcode names used in messages.
 *
 * <p>Thread-safe.
 */
final class Opcodes {

    private static final int REGISTER_PROBE = 8;
    private static final int OPS = 256;
    private static final int OP_SUPPORTED = 1;
    private static final String[] NAMES = {
        "NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED", "POLL_ADD", "POLL_REMOVE",
        "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG", "TIMEOUT", "TIMEOUT_REMOVE", "ACCEPT", "ASYNC_CANCEL",
        "LINK_TIMEOUT", "CONNECT", "FALLOCATE", "OPENAT", "CLOSE", "FILES_UPDATE", "STATX", "READ", "WRITE",
        "FADVISE", "MADVISE", "SEND", "RECV", "OPENAT2", "EPOLL_CTL", "SPLICE", "PROVIDE_BUFFERS",
        "REMOVE_BUFFERS", "TEE", "SHUTDOWN", "RENAMEAT", "UNLINKAT", "MKDIRAT", "SYMLINKAT", "LINKAT",
        "MSG_RING", "FSETXATTR", "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET", "URING_CMD", "SEND_ZC",
        "SENDMSG_ZC", "READ_MULTISHOT", "WAITID", "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_WAITV",
        "FIXED_FD_INSTALL", "FTRUNCATE", "BIND", "LISTEN", "RECV_ZC", "EPOLL_WAIT", "READV_FIXED",
        "WRITEV_FIXED", "PIPE",
    };

    private static volatile boolean[] supported;

    private Opcodes() {
    }

    /** {@code READ (22)}, or {@code opcode 200} for a number without a name. */
    static String name(int opcode) {
        return opcode >= 0 && opcode < NAMES.length ? NAMES[opcode] + " (" + opcode + ")" : "opcode " + opcode;
    }

    /** Probes once, with the first ring that asks. */
    static void probe(Ring ring) {
        if (supported != null) {
            return;
        }
        synchronized (Opcodes.class) {
            if (supported != null) {
                return;
            }
            boolean[] result = new boolean[OPS];
            Memory probe = NativeMemory.allocate(16 + 8L * OPS);
            try {
                if (ring.register(REGISTER_PROBE, NativeMemory.address(probe), OPS) >= 0) {
                    int length = probe.getByte(1) & 0xff;
                    for (int i = 0; i < length; i++) {
                        int op = probe.getByte(16 + 8L * i) & 0xff;
                        result[op] = (probe.getShort(16 + 8L * i + 2) & OP_SUPPORTED) != 0;
                    }
                }
            } finally {
                NativeMemory.free(probe);
            }
            supported = result;
        }
    }

    static boolean supports(int opcode) {
        boolean[] s = supported;
        return s != null && opcode >= 0 && opcode < s.length && s[opcode];
    }
}
