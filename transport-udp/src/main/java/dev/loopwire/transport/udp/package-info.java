// SPDX-License-Identifier: Apache-2.0
/**
 * UDP on any loopwire event loop: {@link dev.loopwire.transport.udp.Udp#bind} and
 * {@link dev.loopwire.transport.udp.Udp#connect} open a
 * {@link dev.loopwire.transport.udp.DatagramEndpoint} that delivers datagrams to a
 * {@link dev.loopwire.transport.udp.DatagramHandler} on the loop's thread.
 *
 * <p>The implementation is chosen per loop through the transport registry: the loop's own, or
 * the readiness-based or completion-based provider of this module.
 */
package dev.loopwire.transport.udp;
