// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

/**
 * What a loop's exception handler receives when a {@code DatagramHandler} callback threw an
 * {@code Error} (a {@code StackOverflowError}, an {@code OutOfMemoryError} thrown by user code)
 * that could not be reported to {@code onError}: the error is the cause, the message names the
 * callback and the endpoint.
 *
 * <p><b>Why wrapped.</b> An {@code Error} reaching a loop unwrapped reads as a fault of the loop
 * thread; this one came from user code, and the loop goes on.
 *
 * <p>Immutable and thread-safe.
 */
public final class HandlerFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    HandlerFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
