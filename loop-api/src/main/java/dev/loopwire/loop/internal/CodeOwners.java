// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;

/**
 * Who a class comes from, for the trust rule: its named module, or on the class path its code
 * source (the jar or folder it was loaded from).
 *
 * <p>On the class path a package is no boundary: any jar can put a class into
 * {@code dev.loopwire.transport.udp.internal}. The code source is what the user chose to put on
 * the path, so two classes share an owner only when they come from the same jar or folder.
 * Shared with the registry through a qualified export; not an API.
 *
 * <p>Stateless and thread-safe.
 */
public final class CodeOwners {

    private CodeOwners() {
    }

    /**
     * Whether two classes come from the same owner: the same named module, or both from the
     * class path (unnamed modules) and the same code source. A class with no code source (made
     * at run time) shares an owner with nothing on the class path.
     *
     * @param a one class
     * @param b the other class
     * @return {@code true} if both classes have the same owner
     */
    public static boolean same(Class<?> a, Class<?> b) {
        Module ma = a.getModule();
        Module mb = b.getModule();
        if (ma.isNamed() || mb.isNamed()) {
            return ma == mb;
        }
        String la = location(a);
        return la != null && la.equals(location(b));
    }

    /**
     * The owner's name for messages: the module name, or the jar or folder on the class path.
     *
     * @param type the class whose owner is named
     * @return the module name, or the jar or folder path; never null
     */
    public static String describe(Class<?> type) {
        Module m = type.getModule();
        if (m.isNamed()) {
            return m.getName();
        }
        String location = location(type);
        if (location == null) {
            return "class path (no code source)";
        }
        String path = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        return "class path (" + path.substring(path.lastIndexOf('/') + 1) + ")";
    }

    /** The class's code source as a normalized URI string, or {@code null} if it has none. */
    private static String location(Class<?> type) {
        try {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            // URL.equals may resolve host names; compare normalized URIs instead.
            return url == null ? null : url.toURI().normalize().toString();
        } catch (SecurityException | URISyntaxException e) {
            return null;
        }
    }
}
