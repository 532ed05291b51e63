// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

/**
 * What a {@link UringRegistration} reports to: each completion of its operations, the loop
 * closing, and the end of the registration.
 *
 * <p><b>Lifecycle.</b> {@link #complete} runs for every completion of every operation the
 * registration submitted, including those that end because of a cancel or a close; then, once
 * the registration is closed and its last completion has been reaped, {@link #unregistered} runs
 * exactly once. After that nothing is called and the kernel no longer touches any memory the
 * registration used.
 *
 * <p><b>Errors.</b> A {@link Throwable} thrown by a method here ({@link Error}s such as
 * {@link StackOverflowError} included) goes to the loop's exception handler; the loop, the
 * registration and its other operations go on.
 *
 * <p><b>Concurrency.</b> Every method runs on the loop thread.
 */
public interface UringHandler {

    /**
     * Handles one completion.
     *
     * @param registration the registration that submitted the operation
     * @param completion loop-owned and reused: valid during this call only; copy what you keep
     */
    void complete(UringRegistration registration, UringCompletion completion);

    /**
     * The loop is closing while this registration is still open. Flush what must be flushed and
     * {@linkplain UringRegistration#close() close} the registration; the loop waits for that,
     * bounded by its close timeout, after which it cancels what is left.
     *
     * @implSpec The default closes the registration at once.
     * @param registration the open registration
     */
    default void loopClosing(UringRegistration registration) {
        registration.close();
    }

    /**
     * The registration is closed and its last completion has been reaped: the fd may be closed
     * and any memory the caller holds may be reused. Its blocks have been closed.
     *
     * @param registration the registration, no longer usable
     */
    void unregistered(UringRegistration registration);
}
