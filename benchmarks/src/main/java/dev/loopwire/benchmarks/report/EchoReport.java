// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns the raw CSV of one harness run into the printed table, {@code echo-results.csv} (the
 * columns of the one-peer raw CSV, the ratio to the C server at the same window and peers, then
 * {@code peers}: every column of earlier runs keeps its place) and the SVG chart.
 *
 * <p>Usage: {@code EchoReport RAW_CSV RESULTS_CSV CHART_SVG [REFERENCE_SERVER]}; the reference
 * defaults to {@code c-recvmmsg}.
 */
public final class EchoReport {

    /** The server every other one is compared with, unless the command line names another. */
    public static final String DEFAULT_REFERENCE = "c-recvmmsg";

    private final List<EchoResult> results;
    private final String reference;

    /** A report over {@code results}, with ratios to {@code reference}. */
    public EchoReport(List<EchoResult> results, String reference) {
        this.results = List.copyOf(results);
        this.reference = reference;
    }

    /** Reads the raw CSV, prints the table, writes the results CSV and the chart. */
    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: EchoReport RAW_CSV RESULTS_CSV CHART_SVG [REFERENCE_SERVER]");
            System.exit(2);
        }
        List<EchoResult> results = EchoResult.parse(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
        EchoReport report = new EchoReport(results, args.length == 4 ? args[3] : DEFAULT_REFERENCE);
        Files.writeString(Path.of(args[1]), report.csv(), StandardCharsets.UTF_8);
        Files.writeString(Path.of(args[2]), new EchoChart(results).svg(), StandardCharsets.UTF_8);
        System.out.print(report.table());
    }

    /** Echoes/s of {@code r} divided by the reference server's at the same window and peers, if measured. */
    public Optional<Double> ratio(EchoResult r) {
        return results.stream()
                .filter(x -> x.server().equals(reference) && x.window() == r.window() && x.peers() == r.peers()
                        && x.echoesPerSecond() > 0)
                .findFirst()
                .map(x -> r.echoesPerSecond() / x.echoesPerSecond());
    }

    /**
     * The results CSV: the one-peer raw columns, {@code ratio_to_reference} (empty when there is
     * none), then {@code peers}.
     */
    public String csv() {
        StringBuilder out = new StringBuilder(EchoResult.SINGLE_PEER_RAW_HEADER).append(",ratio_to_").append(reference)
                .append(",peers").append('\n');
        for (EchoResult r : results) {
            out.append(String.join(",", r.server(), Integer.toString(r.window()), Integer.toString(r.size()),
                    Long.toString(r.echoes()), fmt("%.3f", r.seconds()), fmt("%.0f", r.echoesPerSecond()),
                    Long.toString(r.p50Nanos()), Long.toString(r.p99Nanos()), Long.toString(r.losses()),
                    Long.toString(r.late()), Long.toString(r.corrupt()), fmt("%.3f", r.serverCpuSeconds()),
                    fmt("%.3f", r.clientCpuSeconds()), ratio(r).map(x -> fmt("%.3f", x)).orElse(""),
                    Integer.toString(r.peers())));
            out.append('\n');
        }
        return out.toString();
    }

    /** The table printed by the script: one row per measurement, in run order. */
    public String table() {
        String format = "%-20s %6s %5s %11s %10s %10s %6s %8s %11s  %s%n";
        StringBuilder out = new StringBuilder();
        out.append(fmt(format, "server", "window", "peers", "echoes/s", "p50 ns", "p99 ns", "vs C", "srv CPU",
                "CPU ns/echo", "losses"));
        for (EchoResult r : results) {
            boolean cpuKnown = r.serverCpuSeconds() >= 0;
            out.append(fmt(format, r.server(), r.window(), r.peers(), fmt("%,.0f", r.echoesPerSecond()), r.p50Nanos(),
                    r.p99Nanos(), ratio(r).map(x -> fmt("%.2f", x)).orElse("-"),
                    cpuKnown ? fmt("%.2f s", r.serverCpuSeconds()) : "-",
                    cpuKnown && r.echoes() > 0 ? fmt("%,.0f", r.serverCpuSeconds() * 1e9 / r.echoes()) : "-",
                    losses(r)));
        }
        return out.toString();
    }

    /** Losses, with how many of them came back after the timeout (late) and how many echoes were corrupt. */
    private static String losses(EchoResult r) {
        String text = Long.toString(r.losses());
        if (r.late() > 0) {
            text += " (" + r.late() + " late)";
        }
        if (r.corrupt() > 0) {
            text += " (" + r.corrupt() + " corrupt)";
        }
        return text;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
