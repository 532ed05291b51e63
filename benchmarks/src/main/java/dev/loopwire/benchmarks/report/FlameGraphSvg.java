// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A flame graph, as a standalone SVG document, of a profile in collapsed-stack form (one line
 * per distinct stack: {@code frame;frame;...;leaf count}, as async-profiler's {@code collapsed}
 * output writes it).
 *
 * <p>Each frame is a rectangle whose width is its share of the total count (samples, or bytes
 * for an allocation profile), with its callees stacked on top of it: the root ("all") is the
 * bottom row, the leaves are the tops of the flames. Stacks that begin with the same frames share
 * those rectangles; callees of one frame are laid out left to right in alphabetical order, so
 * the x axis is not time. Each rectangle carries a {@code <title>} (frame, count, share), which a
 * browser shows on hover, and a label cut to fit the rectangle. Colors tell the frame's kind
 * from async-profiler's suffixes: {@code _[j]} JIT-compiled Java, {@code _[i]} inlined Java,
 * {@code _[0]} interpreted, {@code _[1]} C1-compiled (these four only with its {@code ann}
 * option), {@code _[k]} kernel, no suffix native; in an allocation profile the last frame of a
 * stack is the allocated class, marked {@code _[i]} (in a new TLAB) or {@code _[k]} (outside
 * one). A frame {@code [name tid=N]} is a thread (async-profiler's {@code threads} option).
 *
 * <p>Instances are immutable and may be shared between threads; {@link #svg()} renders anew on
 * each call. Written by hand so the harness needs nothing beyond the JDK, like {@link EchoChart}.
 */
public final class FlameGraphSvg {

    /** The kind of profile, which decides the unit of the counts and the meaning of a leaf's suffix. */
    public enum Profile {
        /** CPU samples: the suffixes mark Java, kernel and native frames. */
        CPU("samples"),
        /** Bytes allocated: the last frame of each stack is the allocated class. */
        ALLOC("bytes");

        private final String unit;

        Profile(String unit) {
            this.unit = unit;
        }
    }

    /** What a frame is, by its suffix; the color and the legend follow from it. */
    enum Kind {
        THREAD("thread", 0, 0, 72),
        JIT("Java, JIT-compiled", 120, 45, 52),
        INLINED("Java, inlined", 170, 45, 55),
        INTERPRETED("Java, interpreted", 60, 55, 55),
        C1("Java, C1-compiled", 90, 45, 58),
        NATIVE("native (C/C++)", 0, 65, 62),
        KERNEL("kernel", 30, 85, 55),
        ALLOCATED("allocated class (in a new TLAB)", 210, 60, 62),
        ALLOCATED_OUTSIDE("allocated class (outside a TLAB)", 260, 45, 65),
        ROOT("all", 0, 0, 85);

        final String label;
        private final int hue;
        private final int saturation;
        private final int lightness;

        Kind(String label, int hue, int saturation, int lightness) {
            this.label = label;
            this.hue = hue;
            this.saturation = saturation;
            this.lightness = lightness;
        }

        /**
         * A color of this kind as {@code #rrggbb} (SVG 1.1 renderers need not know hsl()), its lightness
         * varied a little by {@code name} so that neighbours stand apart.
         */
        String color(String name) {
            return color(lightness + (saturation == 0 ? 0 : Math.floorMod(name.hashCode(), 9) - 4));
        }

        /** The color of this kind itself, as the legend shows it. */
        String base() {
            return color(lightness);
        }

        private String color(int lightnessPercent) {
            double l = lightnessPercent / 100.0;
            double chroma = (1 - Math.abs(2 * l - 1)) * saturation / 100.0;
            return fmt("#%02x%02x%02x", channel(0, l, chroma), channel(8, l, chroma), channel(4, l, chroma));
        }

        /** One RGB channel of this hue (n = 0 red, 8 green, 4 blue), the usual HSL-to-RGB formula. */
        private int channel(int n, double l, double chroma) {
            double k = (n + hue / 30.0) % 12;
            double v = l - chroma / 2 * Math.max(-1, Math.min(Math.min(k - 3, 9 - k), 1));
            return (int) Math.round(255 * v);
        }
    }

    static final int WIDTH = 1200;
    static final int SIDE = 10;
    static final int FRAME_HEIGHT = 16;
    private static final int TOP = 50;
    private static final int BOTTOM = 44;
    private static final double CHAR_WIDTH = 6.7;
    /** Frames narrower than this (in pixels) are left out: unreadable, and they would swell the file. */
    private static final double MIN_WIDTH = 0.1;

    private final String title;
    private final Profile profile;
    private final Node root = new Node("all", Kind.ROOT);

    /**
     * A flame graph of {@code collapsed} (the lines of a collapsed-stack file; blank lines are
     * skipped) under {@code title}.
     *
     * @throws IllegalArgumentException if a line is not {@code frames count} with a whole count
     *     of 0 or more, or the counts overflow a {@code long}
     */
    public FlameGraphSvg(String title, Profile profile, List<String> collapsed) {
        this.title = title;
        this.profile = profile;
        for (int i = 0; i < collapsed.size(); i++) {
            add(i + 1, collapsed.get(i));
        }
    }

    /** Usage: {@code FlameGraphSvg COLLAPSED SVG TITLE [cpu|alloc]}; an empty profile gives a graph that says so, and a warning. */
    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length > 4 || (args.length == 4 && !args[3].matches("cpu|alloc"))) {
            System.err.println("usage: FlameGraphSvg COLLAPSED SVG TITLE [cpu|alloc]"
                    + (args.length == 4 ? " (got '" + args[3] + "' where 'cpu' or 'alloc' belongs)" : ""));
            System.exit(2);
        }
        Profile profile = args.length == 4 && args[3].equals("alloc") ? Profile.ALLOC : Profile.CPU;
        FlameGraphSvg graph;
        try {
            graph = new FlameGraphSvg(args[2], profile,
                    Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            System.err.println("FlameGraphSvg: '" + args[0] + "': " + e.getMessage());
            System.exit(1);
            return;
        } catch (IOException e) {
            System.err.println("FlameGraphSvg: cannot read '" + args[0] + "' (" + e + "); give the collapsed-stack"
                    + " file async-profiler wrote (its 'collapsed' output)");
            System.exit(1);
            return;
        }
        if (graph.total() == 0) {
            System.err.println("FlameGraphSvg: '" + args[0] + "' holds no samples; '" + args[1]
                    + "' says so instead of showing a graph");
        }
        Files.writeString(Path.of(args[1]), graph.svg(), StandardCharsets.UTF_8);
    }

    /** The sum of the counts: samples, or bytes for an allocation profile. */
    public long total() {
        return root.total;
    }

    /** The SVG document. */
    public String svg() {
        int depth = root.depth();
        int plotHeight = depth * FRAME_HEIGHT;
        int height = TOP + plotHeight + BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, height, WIDTH, height));
        s.append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        s.append(fmt("<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", SIDE, escape(title)));
        if (root.total == 0) {
            s.append(fmt("<text x=\"%d\" y=\"40\">No samples: the profile is empty (async-profiler collected"
                    + " nothing while it ran), so there is no graph.</text>%n", SIDE));
            s.append("</svg>\n");
            return s.toString();
        }
        s.append(fmt("<text x=\"%d\" y=\"38\" fill=\"#444\">%s %s in all. Width: share of the %s; callers below,"
                        + " callees above; x order is alphabetical, not time. Hover a frame for its count.</text>%n",
                SIDE, fmt("%,d", root.total), profile.unit, profile.unit));
        s.append("<g font-family=\"monospace\">\n");
        Set<Kind> seen = EnumSet.noneOf(Kind.class);
        int[] hidden = {0};
        draw(s, root, 0, 0, TOP + plotHeight, seen, hidden);
        s.append("</g>\n");
        int x = SIDE;
        int y = TOP + plotHeight + 22;
        for (Kind kind : seen) {
            if (kind == Kind.ROOT) {
                continue;
            }
            s.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, y - 10, kind.base()));
            s.append(fmt("<text x=\"%d\" y=\"%d\">%s</text>%n", x + 16, y, kind.label));
            x += 26 + (int) Math.ceil(kind.label.length() * CHAR_WIDTH);
        }
        if (hidden[0] > 0) {
            s.append(fmt("<text x=\"%d\" y=\"%d\" fill=\"#444\">%,d frames narrower than %.1f px left out.</text>%n",
                    SIDE, y + 18, hidden[0], MIN_WIDTH));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** Draws {@code node} at {@code level} (0 = bottom row), starting {@code before} units from the left, then its callees. */
    private void draw(StringBuilder s, Node node, int level, long before, int baseline, Set<Kind> seen, int[] hidden) {
        double scale = (double) (WIDTH - 2 * SIDE) / root.total;
        double width = node.total * scale;
        if (width < MIN_WIDTH) {
            hidden[0] += node.size();
            return;
        }
        seen.add(node.kind);
        double x = SIDE + before * scale;
        int y = baseline - (level + 1) * FRAME_HEIGHT;
        String name = display(node.name);
        s.append(fmt("<g><title>%s (%s): %,d %s, %.2f%%</title>", escape(name), node.kind.label, node.total,
                profile.unit, 100.0 * node.total / root.total));
        s.append(fmt("<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" rx=\"2\" fill=\"%s\"/>",
                x, y, width, FRAME_HEIGHT - 1, node.kind.color(name)));
        String label = fit(name, width);
        if (!label.isEmpty()) {
            s.append(fmt("<text x=\"%.2f\" y=\"%d\">%s</text>", x + 3, y + FRAME_HEIGHT - 4, escape(label)));
        }
        s.append("</g>\n");
        long offset = before;
        for (Node child : node.children.values()) {
            draw(s, child, level + 1, offset, baseline, seen, hidden);
            offset += child.total;
        }
    }

    private void add(int lineNumber, String line) {
        if (line.isBlank()) {
            return;
        }
        int space = line.lastIndexOf(' ');
        String countText = space < 0 ? "" : line.substring(space + 1);
        if (space <= 0 || !countText.matches("[0-9]{1,18}")) {
            throw new IllegalArgumentException(fmt("line %d '%s' does not end in ' COUNT' (a whole number of"
                    + " samples); expected 'frame;frame;...;leaf COUNT', as async-profiler's collapsed output writes",
                    lineNumber, line));
        }
        long count = Long.parseLong(countText);
        String[] frames = line.substring(0, space).split(";", -1);
        try {
            root.total = Math.addExact(root.total, count);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(fmt("line %d '%s': the counts add up past %d; split the file",
                    lineNumber, line, Long.MAX_VALUE));
        }
        Node node = root;
        for (int i = 0; i < frames.length; i++) {
            String frame = frames[i];
            Kind kind = kind(frame, i == frames.length - 1);
            node = node.children.computeIfAbsent(frame, f -> new Node(f, kind));
            node.total += count;
        }
    }

    private Kind kind(String frame, boolean last) {
        if (profile == Profile.ALLOC && last) {
            if (frame.endsWith("_[k]")) {
                return Kind.ALLOCATED_OUTSIDE;
            }
            return Kind.ALLOCATED;
        }
        if (frame.startsWith("[") && frame.endsWith("]") && frame.contains(" tid=")) {
            return Kind.THREAD;
        }
        if (frame.endsWith("_[j]")) {
            return Kind.JIT;
        }
        if (frame.endsWith("_[i]")) {
            return Kind.INLINED;
        }
        if (frame.endsWith("_[0]")) {
            return Kind.INTERPRETED;
        }
        if (frame.endsWith("_[1]")) {
            return Kind.C1;
        }
        if (frame.endsWith("_[k]")) {
            return Kind.KERNEL;
        }
        return Kind.NATIVE;
    }

    /** {@code frame} without async-profiler's kind suffix. */
    static String display(String frame) {
        return frame.matches(".*_\\[[ji01k]\\]$") ? frame.substring(0, frame.length() - 4) : frame;
    }

    /** As much of {@code name} as fits in {@code width} pixels, cut with "..", or nothing when under 3 characters fit. */
    static String fit(String name, double width) {
        int chars = (int) ((width - 6) / CHAR_WIDTH);
        if (chars >= name.length()) {
            return name;
        }
        return chars < 3 ? "" : name.substring(0, chars - 2) + "..";
    }

    /** {@code text} made safe for XML character data and attribute values; control characters become '?'. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.append(c < 0x20 && c != '\t' || c == 0xFFFE || c == 0xFFFF ? '?' : c);
            }
        }
        return b.toString();
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** One frame in its calling context: the sum of the counts of the stacks that pass through it. */
    private static final class Node {
        final String name;
        final Kind kind;
        final Map<String, Node> children = new TreeMap<>();
        long total;

        Node(String name, Kind kind) {
            this.name = name;
            this.kind = kind;
        }

        /** Rows from this frame to its deepest callee, itself included. */
        int depth() {
            int deepest = 0;
            for (Node child : children.values()) {
                deepest = Math.max(deepest, child.depth());
            }
            return deepest + 1;
        }

        /** Frames in this subtree, itself included. */
        int size() {
            int n = 1;
            for (Node child : children.values()) {
                n += child.size();
            }
            return n;
        }
    }
}
