// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import java.util.ArrayList;
import java.util.List;

/**
 * One measurement of the TCP harness: one server, one run, one mode and connection count, as
 * {@code tcp-client} printed it (its CSV row, after the server name and run number the script
 * adds in front).
 *
 * @param server the server's name in the script's list
 * @param run the run number, from 1
 * @param mode {@code rr} (request/response) or {@code bulk}
 * @param connections connections the client asked for
 * @param size message size (rr) or write size (bulk) in bytes
 * @param messages messages echoed in the measured interval (rr; 0 for bulk)
 * @param bytes bytes echoed in the measured interval
 * @param seconds length of the measured interval
 * @param messagesPerSecond messages echoed per second (rr)
 * @param mibPerSecond MiB echoed per second
 * @param p50Nanos median round trip (rr; 0 for bulk)
 * @param p99Nanos 99th percentile round trip (rr; 0 for bulk)
 * @param connectErrors connects that failed or timed out
 * @param ioErrors socket errors, resets and early closes by the server
 * @param corrupt echoes that differed from what was sent
 * @param stalls messages not echoed within the client's timeout (each counted once)
 * @param uncleanCloses connections the server did not close after the client's FIN
 * @param serverCpuSeconds server process utime+stime over the interval, -1 if unknown
 * @param clientCpuSeconds client process CPU over the interval
 */
public record TcpResult(String server, int run, String mode, int connections, int size, long messages, long bytes,
        double seconds, double messagesPerSecond, double mibPerSecond, long p50Nanos, long p99Nanos,
        long connectErrors, long ioErrors, long corrupt, long stalls, long uncleanCloses, double serverCpuSeconds,
        double clientCpuSeconds) {

    /** The columns {@code tcp-client --header} prints. */
    static final String CLIENT_COLUMNS = "mode,connections,size,messages,bytes,seconds,messages_per_s,mib_per_s,"
            + "p50_ns,p99_ns,connect_errors,io_errors,corrupt,stalls,unclean_closes,server_cpu_s,client_cpu_s";

    /** The header of the raw CSV the script writes: the server's name and run number, then the client's columns. */
    public static final String RAW_HEADER = "server,run," + CLIENT_COLUMNS;

    private static final int COLUMNS = RAW_HEADER.split(",").length;

    /** Checks the mode. */
    public TcpResult {
        if (!mode.equals("rr") && !mode.equals("bulk")) {
            throw new IllegalArgumentException("Bad mode '" + mode + "': expected rr or bulk");
        }
    }

    /**
     * Parses the raw CSV: a header line equal to {@link #RAW_HEADER}, then one row per measurement
     * (blank lines are skipped).
     *
     * @throws IllegalArgumentException naming the line and the bad value in quotes
     */
    public static List<TcpResult> parse(List<String> lines) {
        if (lines.isEmpty() || !lines.get(0).trim().equals(RAW_HEADER)) {
            throw new IllegalArgumentException("Bad header '" + (lines.isEmpty() ? "" : lines.get(0).trim())
                    + "': expected '" + RAW_HEADER + "'");
        }
        List<TcpResult> results = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                results.add(parseRow(lines.get(i).trim(), i + 1));
            }
        }
        return results;
    }

    private static TcpResult parseRow(String line, int lineNumber) {
        String[] f = line.split(",", -1);
        if (f.length != COLUMNS) {
            throw new IllegalArgumentException("Bad row '" + line + "' on line " + lineNumber + ": expected "
                    + COLUMNS + " columns as in '" + RAW_HEADER + "'");
        }
        try {
            return new TcpResult(f[0], Integer.parseInt(f[1]), f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8]),
                    Double.parseDouble(f[9]), Long.parseLong(f[10]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Long.parseLong(f[13]), Long.parseLong(f[14]), Long.parseLong(f[15]), Long.parseLong(f[16]),
                    Double.parseDouble(f[17]), Double.parseDouble(f[18]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad row '" + line + "' on line " + lineNumber + ": "
                    + e.getMessage() + "; expected '" + RAW_HEADER + "'", e);
        }
    }

    /** Whether this is a bulk measurement. */
    public boolean bulk() {
        return mode.equals("bulk");
    }

    /** The headline figure: messages/s for rr, MiB/s echoed for bulk. */
    public double throughput() {
        return bulk() ? mibPerSecond : messagesPerSecond;
    }

    /** Every error the client counted, of every kind. */
    public long errors() {
        return connectErrors + ioErrors + corrupt + stalls + uncleanCloses;
    }

    /**
     * Server CPU per unit of work: nanoseconds per message (rr) or microseconds per MiB echoed
     * (bulk); negative when the CPU time is unknown or nothing was echoed.
     */
    public double serverCpuPerUnit() {
        if (serverCpuSeconds < 0 || bytes == 0) {
            return -1;
        }
        return bulk() ? serverCpuSeconds * 1e6 / (bytes / (1024.0 * 1024.0)) : serverCpuSeconds * 1e9 / messages;
    }
}
