// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The overrides in force for one resolution: the system properties read now, merged with the
 * programmatic preferences, denials and allowances.
 */
record Settings(
        Function<String, String> properties,
        Set<String> disabledByProperty,
        Set<String> denied,
        Set<String> allowedByProperty,
        Set<String> allowed,
        Map<String, String> preferred) {

    static final String PROVIDER_PREFIX = "loopwire.provider.";
    static final String DISABLE = "loopwire.disable";
    static final String ALLOW = "loopwire.allow";

    static Settings read(Function<String, String> properties, Set<String> denied, Set<String> allowed,
            Map<String, String> preferred) {
        return new Settings(properties, list(properties.apply(DISABLE)), Set.copyOf(denied),
                list(properties.apply(ALLOW)), Set.copyOf(allowed), Map.copyOf(preferred));
    }

    /** The provider class named by {@code loopwire.provider.<key>}, or {@code null}. */
    String forced(String keyName) {
        String value = properties.apply(PROVIDER_PREFIX + keyName);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** Why the provider is switched off, or {@code null} if it is not. */
    String disabledReason(String className) {
        if (disabledByProperty.contains(className)) {
            return "disabled by -D" + DISABLE;
        }
        if (denied.contains(className)) {
            return "denied by Transports.deny";
        }
        return null;
    }

    boolean isAllowed(String className) {
        return allowedByProperty.contains(className) || allowed.contains(className);
    }

    private static Set<String> list(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(HashSet::new));
    }
}
