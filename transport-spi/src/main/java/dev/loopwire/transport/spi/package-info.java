// SPDX-License-Identifier: Apache-2.0
/**
 * The service-provider interface for transport authors:
 * {@link dev.loopwire.transport.spi.TransportProvider} offers an implementation of a transport
 * key for loops with given capabilities, and {@link dev.loopwire.transport.spi.CapabilityAdapter}
 * offers a capability on loops that lack it.
 *
 * <p>Both are found with {@link java.util.ServiceLoader}; applications do not need this package.
 */
package dev.loopwire.transport.spi;
