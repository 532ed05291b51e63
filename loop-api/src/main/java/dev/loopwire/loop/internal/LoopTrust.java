// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

import dev.loopwire.loop.spi.EventLoopProvider;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The trust rule for kinds of event loop: which providers are loopwire's own, which loop names
 * they own, and which foreign providers are refused because they use one of those names.
 *
 * <p>A loop sees every socket a transport opens on it (its {@code implementation(key)} is the
 * first step of the dispatch), so the default loop must never be a kind a stray jar brought:
 * {@code EventLoops.open()} and the default loop choose among loopwire's own kinds and the kinds
 * the user allowed ({@code -Dloopwire.allow=<class>}); any other kind opens only when the user
 * names it. The names and aliases loopwire's own kinds define ({@code selector},
 * {@code completion}, {@code io_uring}, {@code iocp}) are owned like transport keys: a foreign
 * provider that claims one is refused, unless the user allowed its class.
 *
 * <p>Own means: the provider's class is one of loopwire's loop providers, in the named module
 * that ships it and in the same module layer as loop-api; on the class path, where there are no
 * modules, the class name decides (a jar that shadows a loopwire class on the class path can
 * replace anything, {@code EventLoops} included, and is out of scope). Owners are named with
 * {@link CodeOwners#describe}.
 *
 * <p>Stateless and thread-safe; not an API.
 */
public final class LoopTrust {

    /** The system property listing classes the user allowed, shared with transport providers. */
    public static final String ALLOW_PROPERTY = "loopwire.allow";

    private static final Set<String> COMPLETION_NAMES = Set.of("completion", "io_uring", "iocp");
    /** loopwire's loop providers: class name, the module that ships it, the names it owns. */
    private static final List<Own> LOOPWIRE = List.of(
            new Own("dev.loopwire.loop.selector.internal.SelectorLoopProvider", "dev.loopwire.loop.selector",
                    Set.of("selector")),
            new Own("dev.loopwire.loop.completion.internal.CompletionLoopProvider", "dev.loopwire.loop.completion",
                    COMPLETION_NAMES));

    private record Own(String providerClass, String module, Set<String> names) {
    }

    /**
     * The verdicts on the providers found.
     *
     * @param refused each refused provider with the reason (it is listed, never opened)
     * @param defaults the providers {@code open()} and the default loop may choose: own or allowed
     */
    public record Verdicts(Map<EventLoopProvider, String> refused, Set<EventLoopProvider> defaults) {
    }

    private LoopTrust() {
    }

    /**
     * Judges the providers found.
     *
     * @param found every provider discovery found
     * @param allowed class names the user allowed
     * @return the verdicts; the maps are identity-based views owned by the caller
     */
    public static Verdicts judge(List<EventLoopProvider> found, Set<String> allowed) {
        Map<EventLoopProvider, String> refused = new java.util.IdentityHashMap<>();
        Set<EventLoopProvider> defaults = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (EventLoopProvider provider : found) {
            Class<?> type = provider.getClass();
            if (isOwn(type) || allowed.contains(type.getName())) {
                defaults.add(provider);
                continue;
            }
            String claimed = claimedName(provider);
            if (claimed != null) {
                refused.put(provider, "refused: " + type.getName() + " from " + CodeOwners.describe(type)
                        + " calls itself '" + claimed + "', a loop name that " + ownerOf(claimed)
                        + " owns; rename the kind, or allow it with -D" + ALLOW_PROPERTY + "=" + type.getName());
            }
        }
        return new Verdicts(refused, defaults);
    }

    /**
     * Names (or aliases) that more than one kind not refused answers to, each as a sentence for
     * the log: which kinds, and which one {@code EventLoops.open(name)} uses.
     *
     * @param ranked the kinds not refused, best first (the order {@code open(name)} searches)
     * @return one message per shared name, in name order; empty when every name is unique
     */
    public static List<String> sharedNames(List<EventLoopProvider> ranked) {
        Map<String, List<String>> byName = new java.util.TreeMap<>();
        for (EventLoopProvider provider : ranked) {
            Set<String> names = new java.util.LinkedHashSet<>();
            try {
                names.add(provider.name());
                Set<String> aliases = provider.aliases();
                if (aliases != null) {
                    names.addAll(aliases);
                }
            } catch (RuntimeException | LinkageError e) {
                continue;
            }
            for (String name : names) {
                byName.computeIfAbsent(name, n -> new ArrayList<>()).add(provider.getClass().getName() + " from "
                        + CodeOwners.describe(provider.getClass()));
            }
        }
        List<String> messages = new ArrayList<>();
        byName.forEach((name, kinds) -> {
            if (kinds.size() > 1) {
                messages.add("Event loop kinds " + kinds + " all answer to '" + name + "'; EventLoops.open(\""
                        + name + "\") uses the one it finds first by name, then by alias, best ranked first; "
                        + "rename the others or remove their jars");
            }
        });
        return messages;
    }

    /**
     * Whether a provider class is one of loopwire's own loop providers.
     *
     * @param type the provider's class
     * @return {@code true} for loopwire's own
     */
    public static boolean isOwn(Class<?> type) {
        for (Own own : LOOPWIRE) {
            if (!own.providerClass().equals(type.getName())) {
                continue;
            }
            Module module = type.getModule();
            if (!module.isNamed()) {
                return true;
            }
            return module.getName().equals(own.module()) && module.getLayer() == LoopTrust.class.getModule().getLayer();
        }
        return false;
    }

    /**
     * The classes the user allowed with {@code -Dloopwire.allow}, comma separated.
     *
     * @return the class names; empty when the property is unset
     */
    public static Set<String> allowed() {
        Set<String> names = new HashSet<>();
        for (String name : System.getProperty(ALLOW_PROPERTY, "").split(",")) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        return names;
    }

    /** The first of the provider's name and aliases that loopwire owns, or null. */
    private static String claimedName(EventLoopProvider provider) {
        List<String> names = new ArrayList<>();
        try {
            names.add(provider.name());
            Set<String> aliases = provider.aliases();
            if (aliases != null) {
                names.addAll(new java.util.TreeSet<>(aliases));
            }
        } catch (RuntimeException | LinkageError e) {
            return null; // EventLoops treats a provider whose names fail as having none
        }
        for (String name : names) {
            if (ownerOf(name) != null) {
                return name;
            }
        }
        return null;
    }

    /** Who owns a loop name, for messages: the kind of loopwire's that defines it, or null. */
    private static String ownerOf(String name) {
        if (name == null) {
            return null;
        }
        return name.equals("selector") ? "loopwire's own 'selector' loop"
                : COMPLETION_NAMES.contains(name) ? "loopwire's own 'completion' loop" : null;
    }
}
