// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

/**
 * A facet of an event loop that transports can build on, such as fd readiness or a completion
 * port.
 *
 * <p>Capabilities are Java interfaces that extend this one. A loop lists the ones it offers in
 * {@link EventLoop#capabilities()} and hands out the typed facet through
 * {@link EventLoop#capability(Class)}. Introspection is the type system: a transport provider
 * declares the capability interfaces it requires, and the registry matches them against the
 * loop before anything is called.
 */
public interface Capability {
}
