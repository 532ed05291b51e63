// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Turns the raw CSV of one TCP harness run into {@code tcp-results.csv} (one row per server,
 * mode, connection count and run) and the printed table (one row per server, mode and connection
 * count: the median over the runs, with the range when there was more than one run).
 *
 * <p>Usage: {@code TcpReport RAW_CSV RESULTS_CSV [REFERENCE_SERVER]}; the reference (the "vs C"
 * column divides by its median at the same mode and connection count) defaults to
 * {@value #DEFAULT_REFERENCE}.
 */
public final class TcpReport {

    /** The server every other one is compared with, unless the command line names another. */
    public static final String DEFAULT_REFERENCE = "c-epoll";

    /** The header of {@code tcp-results.csv}. */
    public static final String RESULTS_HEADER = "server,mode,connections,run,throughput,unit,p50_ns,p99_ns,"
            + "server_cpu_s,server_cpu_ns_per_message,server_cpu_us_per_mib,client_cpu_s,errors";

    private final List<TcpResult> results;
    private final String reference;

    /** A report over {@code results}, with ratios to {@code reference}. */
    public TcpReport(List<TcpResult> results, String reference) {
        this.results = List.copyOf(results);
        this.reference = reference;
    }

    /** Reads the raw CSV, writes the results CSV and prints the table. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: TcpReport RAW_CSV RESULTS_CSV [REFERENCE_SERVER]");
            System.exit(2);
        }
        List<TcpResult> results = TcpResult.parse(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
        TcpReport report = new TcpReport(results, args.length == 3 ? args[2] : DEFAULT_REFERENCE);
        Files.writeString(Path.of(args[1]), report.csv(), StandardCharsets.UTF_8);
        System.out.print(report.table());
    }

    /** The results CSV: every measurement, in run order. */
    public String csv() {
        StringBuilder out = new StringBuilder(RESULTS_HEADER).append('\n');
        for (TcpResult r : results) {
            double perUnit = r.serverCpuPerUnit();
            out.append(String.join(",", r.server(), r.mode(), Integer.toString(r.connections()),
                    Integer.toString(r.run()), fmt(r.bulk() ? "%.1f" : "%.0f", r.throughput()),
                    r.bulk() ? "MiB/s" : "messages/s", r.bulk() ? "" : Long.toString(r.p50Nanos()),
                    r.bulk() ? "" : Long.toString(r.p99Nanos()), fmt("%.3f", r.serverCpuSeconds()),
                    !r.bulk() && perUnit >= 0 ? fmt("%.0f", perUnit) : "",
                    r.bulk() && perUnit >= 0 ? fmt("%.0f", perUnit) : "",
                    fmt("%.3f", r.clientCpuSeconds()), Long.toString(r.errors())));
            out.append('\n');
        }
        return out.toString();
    }

    /** The measurements of one server, mode and connection count, over every run. */
    record Point(String server, String mode, int connections, List<TcpResult> runs) {

        double median(ToDoubleFunction<TcpResult> f) {
            double[] v = runs.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        double min(ToDoubleFunction<TcpResult> f) {
            return runs.stream().mapToDouble(f).min().orElse(0);
        }

        double max(ToDoubleFunction<TcpResult> f) {
            return runs.stream().mapToDouble(f).max().orElse(0);
        }

        boolean bulk() {
            return mode.equals("bulk");
        }
    }

    /** The measurements grouped by server, mode and connection count, in the order first measured. */
    List<Point> points() {
        Map<String, List<TcpResult>> groups = new LinkedHashMap<>();
        for (TcpResult r : results) {
            groups.computeIfAbsent(r.server() + "|" + r.mode() + "|" + r.connections(), k -> new ArrayList<>()).add(r);
        }
        List<Point> points = new ArrayList<>();
        for (List<TcpResult> runs : groups.values()) {
            TcpResult first = runs.get(0);
            points.add(new Point(first.server(), first.mode(), first.connections(), List.copyOf(runs)));
        }
        return points;
    }

    /** The median throughput of {@code p} over the reference server's at the same mode and connections. */
    Optional<Double> ratio(Point p) {
        return points().stream()
                .filter(x -> x.server().equals(reference) && x.mode().equals(p.mode())
                        && x.connections() == p.connections() && x.median(TcpResult::throughput) > 0)
                .findFirst()
                .map(x -> p.median(TcpResult::throughput) / x.median(TcpResult::throughput));
    }

    /**
     * The table printed by the script, in Markdown (it pastes into the README as it is): medians
     * over the runs, the throughput's min–max when there was more than one run, errors summed.
     */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append("| server | mode | connections | runs | throughput (median) | min – max | vs ").append(reference)
                .append(" | p50 µs | p99 µs | server CPU per message (rr) / per MiB (bulk) | errors |\n");
        out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Point p : points()) {
            String unit = p.bulk() ? " MiB/s" : " msg/s";
            String number = p.bulk() ? "%,.1f" : "%,.0f";
            boolean cpuKnown = p.runs().stream().allMatch(r -> r.serverCpuPerUnit() >= 0);
            double cpu = p.median(TcpResult::serverCpuPerUnit);
            long errors = p.runs().stream().mapToLong(TcpResult::errors).sum();
            out.append("| ").append(String.join(" | ", p.server(), p.mode(), Integer.toString(p.connections()),
                    Integer.toString(p.runs().size()),
                    fmt(number, p.median(TcpResult::throughput)) + unit,
                    p.runs().size() > 1 ? fmt(number, p.min(TcpResult::throughput)) + " – "
                            + fmt(number, p.max(TcpResult::throughput)) : "-",
                    ratio(p).map(x -> fmt("%.2f", x)).orElse("-"),
                    p.bulk() ? "-" : fmt("%,.1f", p.median(TcpResult::p50Nanos) / 1000.0),
                    p.bulk() ? "-" : fmt("%,.1f", p.median(TcpResult::p99Nanos) / 1000.0),
                    !cpuKnown ? "-" : p.bulk() ? fmt("%,.0f µs", cpu) : fmt("%,.0f ns", cpu),
                    errors == 0 ? "0" : errorDetail(p)))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String errorDetail(Point p) {
        long connect = 0, io = 0, corrupt = 0, stalls = 0, unclean = 0;
        for (TcpResult r : p.runs()) {
            connect += r.connectErrors();
            io += r.ioErrors();
            corrupt += r.corrupt();
            stalls += r.stalls();
            unclean += r.uncleanCloses();
        }
        List<String> parts = new ArrayList<>();
        if (connect > 0) {
            parts.add(connect + " connect");
        }
        if (io > 0) {
            parts.add(io + " io");
        }
        if (corrupt > 0) {
            parts.add(corrupt + " corrupt");
        }
        if (stalls > 0) {
            parts.add(stalls + " stalls");
        }
        if (unclean > 0) {
            parts.add(unclean + " unclean closes");
        }
        return "**" + String.join(", ", parts) + "**";
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
