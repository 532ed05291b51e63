// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import dev.loopwire.loop.Capability;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The report of how the registry resolves a transport key for a loop: every candidate in the
 * order the double dispatch considers them, where each came from, what it requires, and whether
 * it was chosen or passed over and why. {@link #toString()} renders it as a table.
 *
 * <p>Building a report runs no provider's {@code create}: a report made by
 * {@link Transports#explain} marks as chosen the candidate resolution would try first, or, once
 * the key has been resolved for the loop, the one actually in use.
 *
 * <p>The capability adapters the resolution considered are listed apart, in
 * {@link #adapters()}, each with its verdict: chosen when the chosen candidate uses it.
 *
 * <p>Instances are immutable.
 */
public final class Explanation {

    /** Where a candidate came from, in dispatch order. */
    public enum Source {
        /** The system property {@code loopwire.provider.<key>} named it. */
        PROPERTY("property"),
        /** The loop's own {@code implementation(key)}. */
        LOOP("loop"),
        /** {@link Transports#register(dev.loopwire.loop.EventLoop, dev.loopwire.loop.TransportKey, Object)}. */
        LOOP_REGISTRATION("registered on loop"),
        /** {@link Transports#register(Class, dev.loopwire.loop.TransportKey, java.util.function.Function)}. */
        CLASS_REGISTRATION("registered for class"),
        /** A provider native to the loop's type. */
        NATIVE_PROVIDER("loop-native provider"),
        /** A provider whose required capabilities the loop offers. */
        PROVIDER("provider"),
        /** A provider that fits only through a capability adapter. */
        ADAPTED_PROVIDER("provider + adapter"),
        /** A capability adapter (listed in {@link Explanation#adapters()}, not among the candidates). */
        ADAPTER("adapter");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        /**
         * A short label for tables.
         *
         * @return the label, such as {@code "provider + adapter"}
         */
        public String label() {
            return label;
        }
    }

    /** What became of a candidate. */
    public enum Verdict {
        /** The candidate resolution uses (or would use). */
        CHOSEN("chosen"),
        /** It fits, but an earlier candidate was chosen. */
        FITS("fits"),
        /** It does not fit; the reason says why. */
        PASSED_OVER("passed over");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        /**
         * A short label for tables.
         *
         * @return the label, such as {@code "passed over"}
         */
        public String label() {
            return label;
        }
    }

    /**
     * One candidate.
     *
     * @param name a short name: the provider's simple class name, or a description
     * @param className the provider's or implementation's class name
     * @param source where it came from
     * @param origin module, version and jar, or the registration
     * @param requires the capabilities it requires
     * @param priority its priority (0 for non-providers)
     * @param verdict what became of it
     * @param reason why (missing capabilities by name, disabled, foreign, unavailable, failed)
     * @param failure the exception behind a failure, if any
     */
    public record Candidate(
            String name,
            String className,
            Source source,
            String origin,
            Collection<Class<? extends Capability>> requires,
            int priority,
            Verdict verdict,
            String reason,
            Optional<Throwable> failure) {

        /**
         * The same candidate with another verdict and reason.
         *
         * @param newVerdict the new verdict
         * @param newReason the new reason
         * @param newFailure the exception behind a failure, or {@code null} to keep this
         *     candidate's
         * @return a new candidate; this one is unchanged
         */
        public Candidate with(Verdict newVerdict, String newReason, Throwable newFailure) {
            return new Candidate(name, className, source, origin, requires, priority, newVerdict, newReason,
                    Optional.ofNullable(newFailure).or(() -> failure));
        }
    }

    private final String keyName;
    private final String loopName;
    private final List<Class<? extends Capability>> capabilities;
    private final List<Candidate> candidates;
    private final List<Candidate> adapters;
    private final String remedy;

    /**
     * Creates a report with no adapters and the generic remedy.
     *
     * @param keyName the key resolved
     * @param loopName the loop's name
     * @param capabilities the loop's capabilities
     * @param candidates every candidate in dispatch order
     */
    public Explanation(String keyName, String loopName, Collection<Class<? extends Capability>> capabilities,
            List<Candidate> candidates) {
        this(keyName, loopName, capabilities, candidates, List.of(), null);
    }

    /**
     * Creates a report.
     *
     * @param keyName the key resolved
     * @param loopName the loop's name
     * @param capabilities the loop's capabilities
     * @param candidates every candidate in dispatch order
     * @param adapters every capability adapter considered, sorted by class name
     * @param remedy what a user can do when nothing fits, as the end of {@link #failureMessage()};
     *     {@code null} for the generic advice
     */
    public Explanation(String keyName, String loopName, Collection<Class<? extends Capability>> capabilities,
            List<Candidate> candidates, List<Candidate> adapters, String remedy) {
        this.keyName = Objects.requireNonNull(keyName, "keyName");
        this.loopName = Objects.requireNonNull(loopName, "loopName");
        this.capabilities = sortedByName(capabilities);
        this.candidates = List.copyOf(candidates);
        this.adapters = List.copyOf(adapters);
        this.remedy = remedy != null ? remedy : "register an implementation with Transports.register";
    }

    /**
     * The key's name.
     *
     * @return the name; never null
     */
    public String keyName() {
        return keyName;
    }

    /**
     * The loop's name.
     *
     * @return the name; never null
     */
    public String loopName() {
        return loopName;
    }

    /**
     * The loop's capabilities, sorted by simple name.
     *
     * @return the capability interfaces, unmodifiable; never null
     */
    public List<Class<? extends Capability>> capabilities() {
        return capabilities;
    }

    /**
     * Every candidate, in dispatch order.
     *
     * @return the candidates, unmodifiable; empty if no provider for the key was found
     */
    public List<Candidate> candidates() {
        return candidates;
    }

    /**
     * Every capability adapter considered, sorted by class name, with its verdict.
     *
     * @return the adapters, unmodifiable; never null
     */
    public List<Candidate> adapters() {
        return adapters;
    }

    /**
     * What a user can do when nothing fits: the end of {@link #failureMessage()}.
     *
     * @return the advice; never null
     */
    public String remedy() {
        return remedy;
    }

    /**
     * The chosen candidate, if any.
     *
     * @return the candidate whose verdict is {@link Verdict#CHOSEN}, or empty when nothing fits
     */
    public Optional<Candidate> chosen() {
        return candidates.stream().filter(c -> c.verdict() == Verdict.CHOSEN).findFirst();
    }

    /**
     * The message of the {@link UnsupportedTransportException} for this report: the key, the
     * loop and its capabilities, every candidate passed over with why, every adapter passed over
     * with why, then the {@linkplain #remedy() remedy}, as in {@code No implementation of 'k'
     * for loop 'l' (capabilities: FdReadiness, Timers); passed over: UringUdpProvider
     * (missing UringPort); it would run on a loop offering UringPort
     * (UringUdpProvider); loops available here that offer them: 'io_uring'
     * (EventLoops.open("io_uring")); or register an implementation with Transports.register}.
     *
     * @return the message, naming the key and the loop; never null
     */
    public String failureMessage() {
        String passedOver = candidates.isEmpty()
                ? "nothing (no provider for this key was found; put the module that provides it on the module path"
                        + " or the class path)"
                : join(candidates);
        List<Candidate> refused = adapters.stream().filter(a -> a.verdict() == Verdict.PASSED_OVER).toList();
        return "No implementation of '" + keyName + "' for loop '" + loopName + "' (capabilities: "
                + names(capabilities) + "); passed over: " + passedOver
                + (refused.isEmpty() ? "" : "; adapters passed over: " + join(refused))
                + "; " + remedy;
    }

    private static String join(List<Candidate> candidates) {
        return candidates.stream().map(c -> c.name() + " (" + c.reason() + ")").collect(Collectors.joining(", "));
    }

    /** Simple names of capability types, comma-separated, or {@code none}. */
    static String names(Collection<Class<? extends Capability>> types) {
        return types.isEmpty() ? "none"
                : sortedByName(types).stream().map(Class::getSimpleName).collect(Collectors.joining(", "));
    }

    private static List<Class<? extends Capability>> sortedByName(Collection<Class<? extends Capability>> types) {
        List<Class<? extends Capability>> sorted = new ArrayList<>(types);
        sorted.sort((a, b) -> a.getSimpleName().compareTo(b.getSimpleName()));
        return List.copyOf(sorted);
    }

    /** The report as a table, one candidate a row, followed by each candidate's origin. */
    @Override
    public String toString() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "verdict", "candidate", "source", "requires", "prio", "reason"});
        int n = 1;
        for (Candidate c : candidates) {
            rows.add(new String[] {String.valueOf(n++), c.verdict().label(), c.name(), c.source().label(),
                    names(c.requires()), String.valueOf(c.priority()), c.reason()});
        }
        StringBuilder out = new StringBuilder();
        out.append("Transport '").append(keyName).append("' on loop '").append(loopName)
                .append("' (capabilities: ").append(names(capabilities)).append(")\n");
        if (candidates.isEmpty()) {
            return out.append("  no candidates: no provider for this key was found\n").toString();
        }
        Table.render(rows, out);
        out.append("  origins:\n");
        n = 1;
        for (Candidate c : candidates) {
            out.append("    ").append(n++).append(' ').append(c.className()).append(": ").append(c.origin()).append('\n');
        }
        if (!adapters.isEmpty()) {
            List<String[]> adapterRows = new ArrayList<>();
            adapterRows.add(new String[] {"adapter", "verdict", "requires", "origin", "reason"});
            for (Candidate a : adapters) {
                adapterRows.add(new String[] {a.name(), a.verdict().label(), names(a.requires()), a.origin(), a.reason()});
            }
            out.append("  adapters considered:\n");
            Table.render(adapterRows, out);
        }
        return out.toString();
    }
}
