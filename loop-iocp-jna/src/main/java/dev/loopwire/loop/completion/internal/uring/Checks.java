// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The argument checks of the public io_uring capability that need no loop state: which opcodes
 * a caller may submit, and which buffers the loop can pin. Each refusal names the value and the
 * remedy.
 *
 * <p>Stateless, thread-safe.
 */
final class Checks {

    private Checks() {
    }

    /** Refuses opcodes the kernel lacks and the ones only the loop may use. */
    static void checkOpcode(int opcode) {
        switch (opcode) {
            case 7: // POLL_REMOVE
            case 12: // TIMEOUT_REMOVE
            case Ring.OP_ASYNC_CANCEL:
                throw new UnsupportedOperationException(Opcodes.name(opcode) + " is reserved to the loop, which "
                        + "tracks operation ids; cancel with UringRegistration.cancel(operationId)");
            case 31: // PROVIDE_BUFFERS
            case 32: // REMOVE_BUFFERS
                throw new UnsupportedOperationException(Opcodes.name(opcode) + " is reserved to the loop; use the "
                        + "shared groups of UringPort.bufferGroup(size)");
            case 40: // MSG_RING
                throw new UnsupportedOperationException(Opcodes.name(opcode) + " is reserved to the loop: it would "
                        + "post completions the loop never issued; hand work to another loop with loop.execute(...)");
            default:
                break;
        }
        if (!Opcodes.supports(opcode)) {
            throw new UnsupportedOperationException("io_uring " + Opcodes.name(opcode) + " is not supported by this kernel ("
                    + System.getProperty("os.version") + "): supports(" + opcode + ") returned false; check "
                    + "UringPort.supports(opcode) first and fall back to another operation");
        }
    }

    /**
     * What a value is used as, for messages: {@code addr of READ (22)}, or {@code field} alone
     * when {@code opcode} is negative. Built only when a check fails, so that a submission that
     * passes every check allocates nothing.
     */
    static String use(String field, int opcode) {
        return opcode < 0 ? field : field + " of " + Opcodes.name(opcode);
    }

    static void checkDirect(ByteBuffer buffer, String field, int opcode) {
        Objects.requireNonNull(buffer, "buffer");
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("Heap ByteBuffer '" + buffer + "' given as " + use(field, opcode)
                    + ": the kernel needs memory the loop can pin; use ByteBuffer.allocateDirect(...) or a block from "
                    + "UringRegistration.allocate(...)");
        }
    }
}
