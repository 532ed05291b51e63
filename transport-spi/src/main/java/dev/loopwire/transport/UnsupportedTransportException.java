// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import java.util.Objects;

/**
 * Thrown when no implementation of a transport fits a loop. The message names the key, the
 * loop, its capabilities, every candidate with the reason it was passed over, and a remedy;
 * {@link #explanation()} holds the same facts as data. A candidate whose {@code create} threw
 * is attached as a suppressed exception.
 */
public class UnsupportedTransportException extends UnsupportedOperationException {

    private static final long serialVersionUID = 1L;

    private final transient Explanation explanation;

    /**
     * Creates the exception from the report of a failed resolution.
     *
     * @param message the message; see {@link Explanation#failureMessage()}
     * @param explanation the report; never {@code null}
     */
    public UnsupportedTransportException(String message, Explanation explanation) {
        super(message);
        this.explanation = Objects.requireNonNull(explanation, "explanation");
    }

    /**
     * The full report of the resolution that failed; never {@code null}.
     *
     * @return the report
     */
    public Explanation explanation() {
        return explanation;
    }
}
