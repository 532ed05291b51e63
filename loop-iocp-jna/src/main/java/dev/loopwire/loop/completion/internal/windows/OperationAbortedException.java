// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import java.io.IOException;

/**
 * An overlapped operation ended because it was cancelled ({@code ERROR_OPERATION_ABORTED}, 995),
 * by {@code CancelIoEx} or by closing its socket. It is the expected end of every operation still
 * in flight when a socket closes, so backends reap it quietly rather than report it.
 *
 * <p><b>Thread-safety.</b> Immutable once thrown, like any exception.
 */
public final class OperationAbortedException extends IOException {

    private static final long serialVersionUID = 1L;

    OperationAbortedException(String message) {
        super(message);
    }
}
