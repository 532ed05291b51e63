// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpReportTest {

    // server,run,mode,connections,size,messages,bytes,seconds,messages_per_s,mib_per_s,p50_ns,p99_ns,
    // connect_errors,io_errors,corrupt,stalls,unclean_closes,server_cpu_s,client_cpu_s
    private static final List<String> RAW = List.of(TcpResult.RAW_HEADER,
            "c-epoll,1,rr,64,64,200000,12800000,2.000,100000,12.2,20000,90000,0,0,0,0,0,1.000,1.500",
            "lw,1,rr,64,64,100000,6400000,2.000,50000,6.1,40000,100000,0,0,0,0,0,1.000,1.400",
            "c-epoll,1,bulk,1,65536,0,2097152000,2.000,0,1000.0,0,0,0,0,0,0,0,0.500,0.600",
            "lw,1,bulk,1,65536,0,1048576000,2.000,0,500.0,0,0,0,0,0,0,0,-1.000,0.600",
            "c-epoll,2,rr,64,64,300000,19200000,2.000,150000,18.3,10000,80000,0,0,0,0,0,1.500,1.500",
            "lw,2,rr,64,64,140000,8960000,2.000,70000,8.5,30000,70000,0,1,0,2,0,1.000,1.400",
            "c-epoll,3,rr,64,64,260000,16640000,2.000,130000,15.9,30000,60000,0,0,0,0,0,1.300,1.500",
            "lw,3,rr,64,64,120000,7680000,2.000,60000,7.3,50000,80000,3,0,0,0,1,1.200,1.400");

    @Test
    void parsesEveryColumn() {
        TcpResult r = TcpResult.parse(RAW).get(5);
        assertThat(r.server(), is("lw"));
        assertThat(r.run(), is(2));
        assertThat(r.mode(), is("rr"));
        assertThat(r.connections(), is(64));
        assertThat(r.messages(), is(140000L));
        assertThat(r.messagesPerSecond(), is(70000.0));
        assertThat(r.p50Nanos(), is(30000L));
        assertThat(r.p99Nanos(), is(70000L));
        assertThat(r.ioErrors(), is(1L));
        assertThat(r.stalls(), is(2L));
        assertThat(r.errors(), is(3L));
        assertThat(r.serverCpuSeconds(), is(1.0));
        assertThat("ns per message", r.serverCpuPerUnit(), is(1e9 / 140000));
        TcpResult bulk = TcpResult.parse(RAW).get(2);
        assertThat(bulk.throughput(), is(1000.0));
        assertThat("µs per MiB: 0.5 s over 2000 MiB", bulk.serverCpuPerUnit(), is(250.0));
        assertThat("unknown CPU", TcpResult.parse(RAW).get(3).serverCpuPerUnit(), is(-1.0));
    }

    @Test
    void badInputIsNamedWithTheLine() {
        IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
                () -> TcpResult.parse(List.of("server,mode")));
        assertThat(header.getMessage(), is("Bad header 'server,mode': expected '" + TcpResult.RAW_HEADER + "'"));
        IllegalArgumentException columns = assertThrows(IllegalArgumentException.class,
                () -> TcpResult.parse(List.of(TcpResult.RAW_HEADER, "a,1,rr")));
        assertThat(columns.getMessage(), is("Bad row 'a,1,rr' on line 2: expected 19 columns as in '"
                + TcpResult.RAW_HEADER + "'"));
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> TcpResult.parse(List.of(TcpResult.RAW_HEADER, RAW.get(1).replace(",rr,", ",udp,"))));
        assertThat(mode.getMessage(), is("Bad row '" + RAW.get(1).replace(",rr,", ",udp,")
                + "' on line 2: Bad mode 'udp': expected rr or bulk; expected '" + TcpResult.RAW_HEADER + "'"));
        assertThrows(IllegalArgumentException.class,
                () -> TcpResult.parse(List.of(TcpResult.RAW_HEADER, RAW.get(1).replace(",200000,", ",many,"))));
    }

    @Test
    void resultsCsvHasOneRowPerMeasurement() {
        String csv = new TcpReport(TcpResult.parse(RAW), "c-epoll").csv();
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0), is(TcpReport.RESULTS_HEADER));
        assertThat(lines.size(), is(RAW.size()));
        assertThat(lines.get(1), is("c-epoll,rr,64,1,100000,messages/s,20000,90000,1.000,5000,,1.500,0"));
        assertThat(lines.get(3), is("c-epoll,bulk,1,1,1000.0,MiB/s,,,0.500,,250,0.600,0"));
        assertThat(lines.get(4), is("lw,bulk,1,1,500.0,MiB/s,,,-1.000,,,0.600,0"));
        assertThat(lines.get(8), is("lw,rr,64,3,60000,messages/s,50000,80000,1.200,10000,,1.400,4"));
    }

    @Test
    void tableShowsMediansRangesRatiosAndErrors() {
        List<String> rows = new TcpReport(TcpResult.parse(RAW), "c-epoll").table().lines().toList();
        assertThat(rows.size(), is(6));
        assertThat(rows.get(0), is("| server | mode | connections | runs | throughput (median) | min – max | vs c-epoll"
                + " | p50 µs | p99 µs | server CPU per message (rr) / per MiB (bulk) | errors |"));
        // c-epoll rr 64: throughputs 100k, 150k, 130k -> median 130k; p50 20/10/30 µs -> 20; CPU ns/msg 5000/5000/5000.
        assertThat(rows.get(2), is("| c-epoll | rr | 64 | 3 | 130,000 msg/s | 100,000 – 150,000 | 1.00 | 20.0 | 80.0"
                + " | 5,000 ns | 0 |"));
        assertThat(rows.get(3), is("| lw | rr | 64 | 3 | 60,000 msg/s | 50,000 – 70,000 | 0.46 | 40.0 | 80.0"
                + " | 10,000 ns | **3 connect, 1 io, 2 stalls, 1 unclean closes** |"));
        assertThat(rows.get(4), is("| c-epoll | bulk | 1 | 1 | 1,000.0 MiB/s | - | 1.00 | - | - | 250 µs | 0 |"));
        assertThat("CPU unknown", rows.get(5), is("| lw | bulk | 1 | 1 | 500.0 MiB/s | - | 0.50 | - | - | - | 0 |"));
    }

    @Test
    void withoutTheReferenceServerTheRatioIsADash() {
        List<String> rows = new TcpReport(TcpResult.parse(RAW), "netty-epoll").table().lines().toList();
        assertThat(rows.get(2).contains("| 100,000 – 150,000 | - |"), is(true));
    }
}
