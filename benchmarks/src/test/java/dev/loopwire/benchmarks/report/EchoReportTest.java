// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EchoReportTest {

    /** A run from before the peers column: every row is one peer. */
    private static final List<String> RAW = List.of(
            EchoResult.SINGLE_PEER_RAW_HEADER,
            "c-recvmmsg,1,64,1000,1.000,1000,4000,9000,0,0,0,0.500,0.400",
            "c-recvmmsg,16,64,8000,1.000,8000,30000,50000,0,0,0,0.800,0.700",
            "jdk-selector,1,64,500,1.000,500,8000,20000,2,1,0,0.250,0.300",
            "jdk-selector,16,64,4000,1.000,4000,60000,90000,0,0,0,-1.000,0.700",
            "netty-nio,256,64,3000,1.000,3000,0,0,0,0,0,0.900,0.800");

    private static final List<String> RAW_PEERS = List.of(
            EchoResult.RAW_HEADER,
            "c-recvmmsg,256,64,8000,1.000,8000,30000,50000,0,0,0,0.800,0.700,1",
            "c-recvmmsg,256,64,6000,1.000,6000,30000,50000,0,0,0,0.800,0.700,1024",
            "loopwire-completion,256,64,4000,1.000,4000,60000,90000,0,0,0,0.900,0.700,1",
            "loopwire-completion,256,64,4500,1.000,4500,60000,90000,0,0,3,0.900,0.700,1024");

    @Test
    void parsesEveryColumn() {
        EchoResult r = EchoResult.parse(RAW).get(2);
        assertThat(r, is(new EchoResult("jdk-selector", 1, 64, 500, 1.0, 500, 8000, 20000, 2, 1, 0, 0.25, 0.3, 1)));
        EchoResult many = EchoResult.parse(RAW_PEERS).get(3);
        assertThat(many, is(new EchoResult("loopwire-completion", 256, 64, 4500, 1.0, 4500, 60000, 90000, 0, 0, 3,
                0.9, 0.7, 1024)));
    }

    @Test
    void ratioIsToTheReferenceWithTheSamePeers() {
        List<EchoResult> results = EchoResult.parse(RAW_PEERS);
        EchoReport report = new EchoReport(results, "c-recvmmsg");
        assertThat(report.ratio(results.get(2)), is(Optional.of(0.5)));
        assertThat(report.ratio(results.get(3)), is(Optional.of(0.75)));
    }

    @Test
    void csvKeepsEveryEarlierColumnInPlaceAndAddsPeersLast() {
        List<String> lines = new EchoReport(EchoResult.parse(RAW_PEERS), "c-recvmmsg").csv().lines().toList();
        assertThat(lines.get(0), is(EchoResult.SINGLE_PEER_RAW_HEADER + ",ratio_to_c-recvmmsg,peers"));
        assertThat(lines.get(4), is("loopwire-completion,256,64,4500,1.000,4500,60000,90000,0,0,3,0.900,0.700,0.750,1024"));
    }

    @Test
    void tableHasAPeersColumn() {
        List<String> table = new EchoReport(EchoResult.parse(RAW_PEERS), "c-recvmmsg").table().lines().toList();
        assertThat(table.get(0).replaceAll(" +", " "),
                is("server window peers echoes/s p50 ns p99 ns vs C srv CPU CPU ns/echo losses"));
        assertThat(table.get(4).replaceAll(" +", " "),
                is("loopwire-completion 256 1024 4,500 60000 90000 0.75 0.90 s 200,000 0 (3 corrupt)"));
    }

    @Test
    void aPeersValueBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EchoResult.parse(
                List.of(EchoResult.RAW_HEADER, "x,1,64,1,1.000,1,1,1,0,0,0,0.1,0.1,0")));
        assertThat(e.getMessage(), is("Bad echo CSV line 2 'x,1,64,1,1.000,1,1,1,0,0,0,0.1,0.1,0': peers '0' is below 1; "
                + "expected '" + EchoResult.RAW_HEADER + "'"));
    }

    @Test
    void chartHasOneBarPerWindowAndPeersWhenARunHadSeveral() {
        String svg = new EchoChart(EchoResult.parse(RAW_PEERS)).svg();
        assertThat(svg.split("<title>", -1).length - 1, is(4));
        assertThat(svg, containsString("<title>loopwire-completion, window 256, 1024 peers: 4500 echoes/s</title>"));
        assertThat(svg, containsString(">window 256, 1 peer</text>"));
        assertThat(svg, containsString(">window 256, 1024 peers</text>"));
    }

    @Test
    void ratioIsToTheReferenceAtTheSameWindowAndAbsentWithoutOne() {
        List<EchoResult> results = EchoResult.parse(RAW);
        EchoReport report = new EchoReport(results, "c-recvmmsg");
        assertThat(report.ratio(results.get(2)), is(Optional.of(0.5)));
        assertThat(report.ratio(results.get(3)), is(Optional.of(0.5)));
        assertThat(report.ratio(results.get(4)), is(Optional.empty()));
    }

    @Test
    void csvAddsTheRatioColumn() {
        String csv = new EchoReport(EchoResult.parse(RAW), "c-recvmmsg").csv();
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0), is(EchoResult.SINGLE_PEER_RAW_HEADER + ",ratio_to_c-recvmmsg,peers"));
        assertThat(lines.get(3), is("jdk-selector,1,64,500,1.000,500,8000,20000,2,1,0,0.250,0.300,0.500,1"));
        assertThat(lines.get(5), is("netty-nio,256,64,3000,1.000,3000,0,0,0,0,0,0.900,0.800,,1"));
    }

    @Test
    void tableShowsRatioCpuPerEchoAndUnknownCpu() {
        List<String> table = new EchoReport(EchoResult.parse(RAW), "c-recvmmsg").table().lines().toList();
        assertThat(table.size(), is(6));
        assertThat(table.get(3).replaceAll(" +", " "), is("jdk-selector 1 1 500 8000 20000 0.50 0.25 s 500,000 2 (1 late)"));
        assertThat(table.get(4).replaceAll(" +", " "), is("jdk-selector 16 1 4,000 60000 90000 0.50 - - 0"));
    }

    @Test
    void badHeaderAndBadLineNameTheProblem() {
        IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
                () -> EchoResult.parse(List.of("server,window")));
        assertThat(header.getMessage(), is("Bad echo CSV header 'server,window': expected '" + EchoResult.RAW_HEADER + "'"));
        IllegalArgumentException line = assertThrows(IllegalArgumentException.class,
                () -> EchoResult.parse(List.of(EchoResult.RAW_HEADER, "x,1,64")));
        assertThat(line.getMessage(), is("Bad echo CSV line 2 'x,1,64': expected 14 fields, got 3; expected '"
                + EchoResult.RAW_HEADER + "'"));
        IllegalArgumentException old = assertThrows(IllegalArgumentException.class,
                () -> EchoResult.parse(List.of(EchoResult.SINGLE_PEER_RAW_HEADER, "x,1,64")));
        assertThat(old.getMessage(), is("Bad echo CSV line 2 'x,1,64': expected 13 fields, got 3; expected '"
                + EchoResult.SINGLE_PEER_RAW_HEADER + "'"));
    }

    @Test
    void chartHasOneBarPerResultAndEscapesNames() {
        List<EchoResult> results = List.of(
                new EchoResult("a<b>&\"c\"", 1, 64, 10, 1, 10, 1, 1, 0, 0, 0, 0.1, 0.1),
                new EchoResult("a<b>&\"c\"", 16, 64, 20, 1, 20, 1, 1, 0, 0, 0, 0.1, 0.1),
                new EchoResult("c-recvmmsg", 16, 64, 40, 1, 40, 1, 1, 0, 0, 0, 0.1, 0.1));
        String svg = new EchoChart(results).svg();
        assertThat(svg.split("<title>", -1).length - 1, is(3));
        assertThat(svg, containsString(">a&lt;b&gt;&amp;&quot;c&quot;</text>"));
        assertThat(svg, containsString("<title>c-recvmmsg, window 16: 40 echoes/s</title>"));
        assertThat(svg, containsString(">window 16</text>"));
        assertThat(svg, containsString("UDP echo on 127.0.0.1, 64-byte datagrams: echoes per second"));
        // 20/s on an axis that ends at 40/s (the tallest bar) is half of the 300 px plot
        assertThat(svg, containsString("height=\"150\" fill=\"#f28e2b\""));
    }

    @Test
    void niceCeilingRoundsUpToARoundNumber() {
        assertThat(EchoChart.niceCeiling(40), is(40.0));
        assertThat(EchoChart.niceCeiling(41), is(50.0));
        assertThat(EchoChart.niceCeiling(123_456), is(150_000.0));
        assertThat(EchoChart.niceCeiling(500_000), is(500_000.0));
        assertThat(EchoChart.niceCeiling(0), is(1.0));
    }
}
