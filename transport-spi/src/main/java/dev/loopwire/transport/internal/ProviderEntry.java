// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import java.net.URL;
import java.security.CodeSource;
import java.util.Objects;

/**
 * One service found by discovery: the instance, or the failure that kept it from loading, with
 * where it came from.
 *
 * @param <S> the service type
 */
public final class ProviderEntry<S> {

    private final S instance;
    private final String className;
    private final Throwable failure;
    private final String module;
    private final String version;
    private final String location;

    private ProviderEntry(S instance, Class<?> type, String className, Throwable failure) {
        this.instance = instance;
        this.className = className;
        this.failure = failure;
        if (type == null) {
            this.module = "unknown";
            this.version = "";
            this.location = "";
        } else {
            Module m = type.getModule();
            this.module = m.isNamed() ? m.getName() : "class path";
            this.version = m.isNamed() && m.getDescriptor() != null
                    ? m.getDescriptor().rawVersion().orElse("") : "";
            this.location = location(type);
        }
    }

    /** A service that loaded. */
    public static <S> ProviderEntry<S> loaded(S instance) {
        Objects.requireNonNull(instance, "instance");
        return new ProviderEntry<>(instance, instance.getClass(), instance.getClass().getName(), null);
    }

    /** A service that failed to load; {@code type} is {@code null} when even its class is unknown. */
    public static <S> ProviderEntry<S> failed(Class<?> type, String className, Throwable failure) {
        return new ProviderEntry<>(null, type, className, Objects.requireNonNull(failure, "failure"));
    }

    /** The instance, or {@code null} if it failed to load. */
    public S instance() {
        return instance;
    }

    public String className() {
        return className;
    }

    public String simpleName() {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return simple.substring(simple.lastIndexOf('$') + 1);
    }

    /** Why it failed to load, or {@code null}. */
    public Throwable failure() {
        return failure;
    }

    public String module() {
        return module;
    }

    public String version() {
        return version;
    }

    public String location() {
        return location;
    }

    /** "module@version (jar)". */
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

    private static String location(Class<?> type) {
        try {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            if (url == null) {
                return "";
            }
            String path = url.getPath();
            if (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            return path.substring(path.lastIndexOf('/') + 1);
        } catch (SecurityException e) {
            return "";
        }
    }
}
