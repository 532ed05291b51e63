// SPDX-License-Identifier: Apache-2.0
/**
 * The transport registry as a user sees it: {@link dev.loopwire.transport.Transports} resolves
 * a transport's implementation for a loop (first the loop's own, then the best provider whose
 * required capabilities the loop offers), explains its choice
 * ({@link dev.loopwire.transport.Explanation}), and fails with
 * {@link dev.loopwire.transport.UnsupportedTransportException}, naming every candidate and why
 * it was passed over, when nothing fits.
 *
 * <p>Transport authors implement the types of {@link dev.loopwire.transport.spi}.
 */
package dev.loopwire.transport;
