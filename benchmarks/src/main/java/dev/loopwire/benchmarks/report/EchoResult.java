// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.report;

import java.util.ArrayList;
import java.util.List;

/**
 * One measurement of the echo harness: one server at one window and number of client peers, as
 * the C client reports it and {@code run-echo.sh} prefixes it with the server name.
 *
 * @param server the server's name from the script's server list
 * @param window datagrams in flight
 * @param size datagram size in bytes
 * @param echoes echoes received in the measured interval
 * @param seconds length of the measured interval
 * @param echoesPerSecond echoes / seconds
 * @param p50Nanos median round trip in nanoseconds
 * @param p99Nanos 99th percentile round trip in nanoseconds
 * @param losses datagrams not echoed within the client's timeout
 * @param late echoes that arrived after their timeout
 * @param corrupt echoes whose bytes differ from what was sent
 * @param serverCpuSeconds server utime+stime over the interval, or a negative value if unknown
 * @param clientCpuSeconds client CPU time over the interval
 * @param peers client sockets the window was spread over (each its own port)
 */
public record EchoResult(String server, int window, int size, long echoes, double seconds, double echoesPerSecond,
        long p50Nanos, long p99Nanos, long losses, long late, long corrupt, double serverCpuSeconds,
        double clientCpuSeconds, int peers) {

    /** The client's columns before {@code peers} was added: a raw CSV with these has one peer per row. */
    static final String SINGLE_PEER_COLUMNS =
            "window,size,echoes,seconds,echoes_per_s,p50_ns,p99_ns,losses,late,corrupt,server_cpu_s,client_cpu_s";

    /** The header of the raw CSV the script writes, before the server column. */
    static final String CLIENT_COLUMNS = SINGLE_PEER_COLUMNS + ",peers";

    /** The header of the raw CSV ({@code echo-raw.csv}). */
    public static final String RAW_HEADER = "server," + CLIENT_COLUMNS;

    /** The raw CSV header of runs made before the {@code peers} column (read as one peer). */
    public static final String SINGLE_PEER_RAW_HEADER = "server," + SINGLE_PEER_COLUMNS;

    /** A one-peer measurement. */
    public EchoResult(String server, int window, int size, long echoes, double seconds, double echoesPerSecond,
            long p50Nanos, long p99Nanos, long losses, long late, long corrupt, double serverCpuSeconds,
            double clientCpuSeconds) {
        this(server, window, size, echoes, seconds, echoesPerSecond, p50Nanos, p99Nanos, losses, late, corrupt,
                serverCpuSeconds, clientCpuSeconds, 1);
    }

    /**
     * Parses the raw CSV: a header line equal to {@link #RAW_HEADER} (or to
     * {@link #SINGLE_PEER_RAW_HEADER}, for earlier runs), then one row per measurement.
     *
     * @throws IllegalArgumentException naming the line number and the bad line in quotes
     */
    public static List<EchoResult> parse(List<String> lines) {
        String header = lines.isEmpty() ? "" : lines.get(0).trim();
        boolean withPeers = header.equals(RAW_HEADER);
        if (!withPeers && !header.equals(SINGLE_PEER_RAW_HEADER)) {
            throw new IllegalArgumentException("Bad echo CSV header '" + (lines.isEmpty() ? "" : lines.get(0))
                    + "': expected '" + RAW_HEADER + "'");
        }
        List<EchoResult> results = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (!line.isEmpty()) {
                results.add(parseRow(line, i + 1, withPeers ? 14 : 13, withPeers ? RAW_HEADER : SINGLE_PEER_RAW_HEADER));
            }
        }
        return results;
    }

    private static EchoResult parseRow(String line, int lineNumber, int fields, String header) {
        String[] f = line.split(",", -1);
        try {
            if (f.length != fields || f[0].isEmpty()) {
                throw new IllegalArgumentException("expected " + fields + " fields, got " + f.length);
            }
            int peers = fields == 14 ? Integer.parseInt(f[13]) : 1;
            if (peers < 1) {
                throw new IllegalArgumentException("peers '" + f[13] + "' is below 1");
            }
            return new EchoResult(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                    Double.parseDouble(f[4]), Double.parseDouble(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                    Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]), Double.parseDouble(f[11]),
                    Double.parseDouble(f[12]), peers);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad echo CSV line " + lineNumber + " '" + line + "': "
                    + e.getMessage() + "; expected '" + header + "'", e);
        }
    }
}
