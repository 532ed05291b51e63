// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A grouped bar chart of echoes/s as a standalone SVG document: one group per server (in run
 * order), one bar per window (and per number of client peers, when a run measured more than
 * one peer count), a linear axis from zero.
 *
 * <p>Written by hand so the harness needs nothing beyond the JDK to draw it.
 */
public final class EchoChart {

    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1",
        "#edc948", "#ff9da7", "#9c755f"};
    private static final int LEFT = 90;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int PLOT_HEIGHT = 300;
    private static final int BOTTOM = 70;
    private static final int BAR = 26;
    private static final int GROUP_GAP = 40;

    private final List<EchoResult> results;

    /** A chart of {@code results}. */
    public EchoChart(List<EchoResult> results) {
        this.results = List.copyOf(results);
    }

    /** The SVG document. */
    public String svg() {
        Set<String> servers = new LinkedHashSet<>();
        Set<Series> windows = new TreeSet<>();
        double max = 0;
        for (EchoResult r : results) {
            servers.add(r.server());
            windows.add(new Series(r.window(), r.peers()));
            max = Math.max(max, r.echoesPerSecond());
        }
        boolean manyPeers = windows.stream().anyMatch(w -> w.peers() != 1);
        List<Series> windowList = new ArrayList<>(windows);
        double top = niceCeiling(max);
        int groupWidth = Math.max(1, windowList.size()) * BAR + GROUP_GAP;
        int legendStep = manyPeers ? 160 : 110;
        int width = Math.max(Math.max(720, LEFT + windowList.size() * legendStep + RIGHT),
                LEFT + Math.max(1, servers.size()) * groupWidth + RIGHT);
        int height = TOP + PLOT_HEIGHT + BOTTOM;
        int baseline = TOP + PLOT_HEIGHT;

        StringBuilder s = new StringBuilder();
        s.append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
        s.append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        String sizes = results.stream().map(r -> r.size() + "-byte").distinct().reduce((x, y) -> x + "/" + y).orElse("no");
        s.append(fmt("<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">UDP echo on 127.0.0.1, %s datagrams:"
                + " echoes per second by server and window (higher is better)</text>%n", sizes));
        for (int i = 0; i <= 5; i++) {
            double value = top * i / 5;
            int y = baseline - (int) Math.round(PLOT_HEIGHT * (double) i / 5);
            s.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    LEFT, y, width - RIGHT, y));
            s.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LEFT - 6, y + 4, human(value)));
        }
        s.append(fmt("<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">echoes/s</text>%n",
                TOP + PLOT_HEIGHT / 2, TOP + PLOT_HEIGHT / 2));

        int g = 0;
        for (String server : servers) {
            int x0 = LEFT + g * groupWidth + GROUP_GAP / 2;
            for (int w = 0; w < windowList.size(); w++) {
                Series window = windowList.get(w);
                for (EchoResult r : results) {
                    if (r.server().equals(server) && r.window() == window.window() && r.peers() == window.peers()) {
                        int h = top > 0 ? (int) Math.round(PLOT_HEIGHT * r.echoesPerSecond() / top) : 0;
                        int x = x0 + w * BAR;
                        s.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                                        + "<title>%s, %s: %.0f echoes/s</title></rect>%n",
                                x, baseline - h, BAR - 2, h, COLORS[w % COLORS.length], escape(server),
                                window.label(manyPeers), r.echoesPerSecond()));
                        s.append(fmt("<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%s</text>%n",
                                x + (BAR - 2) / 2, baseline - h - 3, human(r.echoesPerSecond())));
                    }
                }
            }
            s.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x0 + windowList.size() * BAR / 2, baseline + 16, escape(server)));
            g++;
        }
        s.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, baseline, width - RIGHT, baseline));
        for (int w = 0; w < windowList.size(); w++) {
            int x = LEFT + w * legendStep;
            int y = baseline + 44;
            s.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, y - 10, COLORS[w % COLORS.length]));
            s.append(fmt("<text x=\"%d\" y=\"%d\">%s</text>%n", x + 16, y, windowList.get(w).label(manyPeers)));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** One bar of each group: a window and a number of client peers, ordered by window, then peers. */
    private record Series(int window, int peers) implements Comparable<Series> {
        @Override
        public int compareTo(Series other) {
            int byWindow = Integer.compare(window, other.window);
            return byWindow != 0 ? byWindow : Integer.compare(peers, other.peers);
        }

        String label(boolean withPeers) {
            return withPeers ? fmt("window %d, %d peer%s", window, peers, peers == 1 ? "" : "s") : "window " + window;
        }
    }

    /** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) that is at least {@code value}; 1 for zero. */
    static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String human(double value) {
        if (value >= 1e6) {
            return fmt("%.2fM", value / 1e6);
        }
        if (value >= 1e3) {
            return fmt("%.0fk", value / 1e3);
        }
        return fmt("%.0f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
