// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.spi.EventLoopProvider;
import dev.loopwire.transport.Explanation.Candidate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The end of the message when nothing fits a loop, written for the user of a transport rather
 * than for provider authors: which capabilities would fit (each candidate's requirements), which
 * kinds of loop available on this machine offer them (asked of the loop providers, no loop is
 * opened), and, only for a refused foreign provider that would otherwise fit, how to allow it.
 *
 * <p>Stateless and thread-safe.
 */
final class Remedy {

    private static final String REGISTER = "register an implementation with Transports.register";

    private Remedy() {
    }

    static String of(Dispatch.Hints hints, List<EventLoopProvider> kinds) {
        List<String> parts = new ArrayList<>();
        // Requirement sets, by their names, with the providers that need each.
        Map<String, List<String>> byNeeds = new TreeMap<>();
        Map<String, Set<Class<? extends Capability>>> sets = new TreeMap<>();
        for (Candidate c : hints.missingCapabilities()) {
            String needs = Dispatch.names(c.requires());
            byNeeds.computeIfAbsent(needs, n -> new ArrayList<>()).add(c.name());
            sets.put(needs, new HashSet<>(c.requires()));
        }
        if (!byNeeds.isEmpty()) {
            List<String> options = new ArrayList<>();
            byNeeds.forEach((needs, who) -> options.add(needs + " (" + String.join(", ", who) + ")"));
            parts.add("it would run on a loop offering " + String.join(" or ", options));
            List<String> loops = new ArrayList<>();
            for (EventLoopProvider kind : kinds) {
                if (offersAny(kind, sets.values())) {
                    loops.add("'" + kind.name() + "' (EventLoops.open(\"" + kind.name() + "\"))");
                }
            }
            parts.add(loops.isEmpty() ? "no loop available here offers them"
                    : "loops available here that offer them: " + String.join(", ", loops));
        }
        if (!hints.allowable().isEmpty()) {
            parts.add("a foreign provider would fit this loop: if you trust it, allow it with -D" + Settings.ALLOW + "="
                    + String.join(",", hints.allowable()) + " or Transports.allow");
        }
        return parts.isEmpty() ? REGISTER : String.join("; ", parts) + "; or " + REGISTER;
    }

    private static boolean offersAny(EventLoopProvider kind, Iterable<Set<Class<? extends Capability>>> sets) {
        try {
            if (!EventLoops.availability(kind).isAvailable()) {
                return false;
            }
            Set<Class<? extends Capability>> offered = kind.capabilities();
            for (Set<Class<? extends Capability>> needs : sets) {
                if (offered != null && offered.containsAll(needs)) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException | LinkageError e) {
            return false; // A kind that cannot describe itself is not suggested.
        }
    }
}
