// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

/**
 * The wording loopwire's loops share for failures, so that logs read the same whatever the loop.
 * Shared through a qualified export; not an API.
 */
public final class LoopErrors {

    private LoopErrors() {
    }

    /**
     * The WARNING logged by a loop's default exception handler.
     *
     * @param loopName the loop's {@link dev.loopwire.loop.EventLoop#name()}
     * @return the log message
     */
    public static String callbackThrew(String loopName) {
        return "A callback on loop '" + loopName + "' threw; the loop goes on";
    }

    /**
     * The ERROR logged when a loop thread failed and the loop closed itself.
     *
     * @param loopName the loop's {@link dev.loopwire.loop.EventLoop#name()}
     * @param droppedTasks how many tasks were waiting and will not run
     * @return the log message
     */
    public static String loopFailed(String loopName, int droppedTasks) {
        return "Loop '" + loopName + "' failed and closed itself; " + droppedTasks
                + " task(s) waiting to run were dropped";
    }

    /**
     * The message of the {@code RejectedExecutionException} of a loop that was closed.
     *
     * @param loopName the loop's {@link dev.loopwire.loop.EventLoop#name()}
     * @return the exception message
     */
    public static String rejectedAfterClose(String loopName) {
        return "Loop '" + loopName + "' is closed and accepts no more tasks; open a new loop or submit work before close()";
    }

    /**
     * The message of the {@code RejectedExecutionException} of a loop that failed.
     *
     * @param loopName the loop's {@link dev.loopwire.loop.EventLoop#name()}
     * @param cause what made the loop thread fail
     * @return the exception message
     */
    public static String rejectedAfterFailure(String loopName, Throwable cause) {
        return "Loop '" + loopName + "' failed (" + cause + ") and is closed; open a new loop";
    }
}
