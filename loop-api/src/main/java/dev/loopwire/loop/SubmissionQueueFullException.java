// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import java.util.concurrent.RejectedExecutionException;

/**
 * Thrown when a loop's submission queue takes no more operations right now: a back-pressure
 * signal, never a silent drop. Nothing was submitted; retry on a later loop turn (for instance
 * from {@link EventLoop#execute}), after completions have made room.
 */
public class SubmissionQueueFullException extends RejectedExecutionException {

    private static final long serialVersionUID = 1L;

    /** @param message what was refused and what to do */
    public SubmissionQueueFullException(String message) {
        super(message);
    }
}
