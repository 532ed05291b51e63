// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

/**
 * A transport implementation registered with {@link Transports#register}; closing it removes
 * the registration and drops every cached resolution it may have produced.
 *
 * <p>Closing twice is a no-op. Thread-safe.
 */
public interface Registration extends AutoCloseable {

    /** Removes the registration. */
    @Override
    void close();
}
