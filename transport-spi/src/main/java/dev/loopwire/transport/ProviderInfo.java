// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import java.util.Optional;
import java.util.Set;

/**
 * What the registry knows about one discovered transport provider or capability adapter,
 * for inspection: where it came from and whether it loaded at all.
 *
 * @param className the provider's class name; never {@code null}
 * @param keyName the key it implements, or for an adapter the capability it offers; empty if
 *     it failed to load
 * @param module the module name, or {@code "class path"} for the unnamed module
 * @param version the module's version, or the empty string when unknown
 * @param location the jar or folder it was loaded from, or the empty string when unknown
 * @param requires the capabilities it requires; empty if it failed to load
 * @param priority its priority; 0 if it failed to load
 * @param availability whether it can run here; unavailable with the cause if it failed to load
 * @param failure why it failed to load, if it did
 */
public record ProviderInfo(
        String className,
        Optional<String> keyName,
        String module,
        String version,
        String location,
        Set<Class<? extends Capability>> requires,
        int priority,
        Availability availability,
        Optional<Throwable> failure) {

    /**
     * The simple name of the class, for tables.
     *
     * @return the class name without its package and enclosing classes
     */
    public String simpleName() {
        int dot = className.lastIndexOf('.');
        String simple = dot < 0 ? className : className.substring(dot + 1);
        return simple.substring(simple.lastIndexOf('$') + 1);
    }

    /**
     * "module@version (jar)" in one string, for tables.
     *
     * @return the module, its version if known, and the jar or folder; never null
     */
    public String origin() {
        StringBuilder s = new StringBuilder(module);
        if (!version.isEmpty()) {
            s.append('@').append(version);
        }
        if (!location.isEmpty()) {
            s.append(" (").append(location).append(')');
        }
        return s.toString();
    }
}
