// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Loads every provider of a service from {@link ServiceLoader}s, isolating failures: a provider
 * whose class does not link or whose constructor throws becomes a failed entry; the others load.
 */
public final class Discovery {

    private static final System.Logger LOG = System.getLogger(Discovery.class.getName());

    /** Stops a loader that keeps failing without moving on from looping forever. */
    private static final int MAX_CONSECUTIVE_FAILURES = 1_000;

    private Discovery() {
    }

    /**
     * Loads the providers of every loader, skipping a class already loaded by an earlier one (a
     * layer's loader also sees its parent layers).
     */
    public static <S> List<ProviderEntry<S>> load(List<ServiceLoader<S>> loaders) {
        List<ProviderEntry<S>> entries = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>();
        Set<String> seenFailures = new HashSet<>();
        for (ServiceLoader<S> loader : loaders) {
            Iterator<ServiceLoader.Provider<S>> it = loader.stream().iterator();
            int failures = 0;
            while (failures < MAX_CONSECUTIVE_FAILURES) {
                ServiceLoader.Provider<S> provider;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    provider = it.next();
                } catch (ServiceConfigurationError | LinkageError e) {
                    failures++;
                    if (seenFailures.add(String.valueOf(e.getMessage()))) {
                        entries.add(failed(null, nameFrom(e), e));
                    }
                    continue;
                }
                failures = 0;
                Class<?> type;
                try {
                    type = provider.type();
                } catch (ServiceConfigurationError | LinkageError e) {
                    if (seenFailures.add(String.valueOf(e.getMessage()))) {
                        entries.add(failed(null, nameFrom(e), e));
                    }
                    continue;
                }
                if (!seen.add(type)) {
                    continue;
                }
                try {
                    entries.add(ProviderEntry.loaded(provider.get()));
                } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                    entries.add(failed(type, type.getName(), e));
                }
            }
        }
        return List.copyOf(entries);
    }

    private static <S> ProviderEntry<S> failed(Class<?> type, String className, Throwable e) {
        LOG.log(System.Logger.Level.WARNING, "Skipping provider " + className + " that failed to load", e);
        return ProviderEntry.failed(type, className, e);
    }

    /**
     * ServiceLoader names the class in its message: "S: Provider a.b.C could not be ..." or
     * "S: Unable to load a.b.C".
     */
    private static String nameFrom(Throwable e) {
        String message = String.valueOf(e.getMessage());
        for (String marker : new String[] {"Provider ", "Unable to load "}) {
            int at = message.indexOf(marker);
            if (at >= 0) {
                String rest = message.substring(at + marker.length());
                int end = rest.indexOf(' ');
                return end < 0 ? rest : rest.substring(0, end);
            }
        }
        return "unknown provider";
    }

    /** The failure and its causes in one line: ServiceLoader's message alone hides the real error. */
    public static String describe(Throwable failure) {
        StringBuilder s = new StringBuilder(failure.toString());
        for (Throwable c = failure.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append("; caused by ").append(c);
        }
        return s.toString();
    }
}
