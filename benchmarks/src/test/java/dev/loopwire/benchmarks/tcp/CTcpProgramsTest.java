// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Builds the C TCP echo server and load client with gcc, as {@code run-tcp.sh} does, and runs
 * them for about a second each: against each other and against a Java server in this JVM, in
 * both modes; then the client's refusals and its bounded waits. Skipped (with the reason) where
 * gcc is not on PATH.
 */
class CTcpProgramsTest {

    private static final Path SOURCES = Path.of("src", "main", "c");
    private static final Path OUT = Path.of("target", "c-test");
    private static final String CLIENT = OUT.resolve("tcp-client").toString();

    @BeforeAll
    static void compile() throws Exception {
        assumeTrue(onPath("gcc"), "gcc is not on PATH; the C TCP programs cannot be built here");
        Files.createDirectories(OUT);
        gcc("tcp_server.c", "tcp-server-c");
        gcc("tcp_client.c", "tcp-client");
    }

    @Test
    void clientHeaderMatchesTheColumnsTheReportReads() throws Exception {
        Run header = run(List.of(CLIENT, "--header"), 10);
        assertThat("server,run," + header.stdout().trim(), is(TcpResult.RAW_HEADER));
    }

    @Test
    void cClientAgainstCServerEchoesInBothModesAndTheServerStopsOnSigterm() throws Exception {
        Process server = new ProcessBuilder(OUT.resolve("tcp-server-c").toString(), "--port", "0",
                "--bind", "127.0.0.1").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> readLine(out)).get(10, SECONDS);
            assertThat(ready, startsWith("ready "));
            int port = Integer.parseInt(ready.substring("ready ".length()));

            TcpResult rr = measure(port, "rr", 16, server.pid());
            assertThat(rr.messages(), greaterThan(0L));
            assertThat(rr.bytes(), is(rr.messages() * 64));
            assertThat(rr.p50Nanos(), greaterThan(0L));
            assertThat(rr.p99Nanos() >= rr.p50Nanos(), is(true));
            assertThat("server CPU was read from /proc", rr.serverCpuSeconds() >= 0, is(true));

            TcpResult bulk = measure(port, "bulk", 1, server.pid());
            assertThat(bulk.bytes(), greaterThan(0L));
            assertThat(bulk.mibPerSecond() > 0, is(true));

            server.destroy(); // SIGTERM: the server must stop cleanly
            assertThat("server stopped", server.waitFor(10, SECONDS), is(true));
            assertThat(server.exitValue(), is(0));
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void cClientAgainstAJavaServerEchoesInBothModes() throws Exception {
        try (TcpEchoServer server = new LoopwireSelectorTcpEchoServer(TcpEchoOptions.loopback())) {
            int port = server.start().getPort();
            TcpResult rr = measure(port, "rr", 64, ProcessHandle.current().pid());
            assertThat(rr.messages(), greaterThan(0L));
            TcpResult bulk = measure(port, "bulk", 1, ProcessHandle.current().pid());
            assertThat(bulk.bytes(), greaterThan(0L));
        }
    }

    /**
     * A server that accepts and never answers: the client must not hang. Its message counts as one
     * stall, the connection it cannot close cleanly as one unclean close, and it exits 4 with its
     * row printed.
     */
    @Test
    void aServerThatNeverEchoesIsReportedNotWaitedFor() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Run run = run(List.of(CLIENT, "--port", Integer.toString(silent.getLocalPort()), "--mode", "rr",
                    "--connections", "1", "--warmup", "0", "--seconds", "0.5", "--timeout-ms", "300"), 20);
            assertThat(run.stderr(), run.exit(), is(4));
            TcpResult r = parse(run.stdout());
            assertThat(r.messages(), is(0L));
            assertThat(r.stalls(), is(1L));
            assertThat(r.uncleanCloses(), is(1L));
            assertThat(r.connectErrors() + r.ioErrors() + r.corrupt(), is(0L));
        }
    }

    @Test
    void nothingListeningIsAConnectErrorAndExit1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run run = run(List.of(CLIENT, "--port", Integer.toString(port), "--connections", "3", "--warmup", "0",
                "--seconds", "0.2"), 20);
        assertThat(run.exit(), is(1));
        assertThat(run.stderr(), containsString("Connection refused"));
        assertThat(run.stderr(), containsString("no connection to 127.0.0.1:" + port + " could be opened"));
    }

    @Test
    void tooFewFileDescriptorsFailAtOnceNamingTheRemedy() throws Exception {
        Run run = run(List.of("bash", "-c", "ulimit -n 64 && exec \"$0\" --port 9 --connections 1000", CLIENT), 10);
        assertThat(run.exit(), is(2));
        assertThat(run.stderr().trim(), is("tcp-client: --connections 1000 needs 1016 file descriptors, but the limit"
                + " is 64 (hard 64); raise it with 'ulimit -n 1016' (as root if the hard limit is lower)"));
    }

    @Test
    void badArgumentsAreRefusedWithTheValueInQuotes() throws Exception {
        Run mode = run(List.of(CLIENT, "--port", "9", "--mode", "stream"), 10);
        assertThat(mode.exit(), is(2));
        assertThat(mode.stderr(), startsWith("tcp-client: bad value 'stream' for --mode: expected rr or bulk"));
        Run host = run(List.of(CLIENT, "--port", "9", "--host", "10.1.2.3"), 10);
        assertThat(host.exit(), is(2));
        assertThat(host.stderr().trim(),
                is("tcp-client: bad --host '10.1.2.3': only an IPv4 loopback address (127.0.0.1) is allowed"));
        Run count = run(List.of(CLIENT, "--port", "9", "--connections", "0"), 10);
        assertThat(count.exit(), is(2));
        assertThat(count.stderr(), startsWith("tcp-client: bad value '0' for --connections: expected a number in [1, 100000]"));
        Run server = run(List.of(OUT.resolve("tcp-server-c").toString(), "--bind", "10.1.2.3"), 10);
        assertThat(server.exit(), is(2));
        assertThat(server.stderr().trim(),
                is("tcp-server-c: bad --bind '10.1.2.3': only an IPv4 loopback address (127.0.0.1) is allowed"));
    }

    /** One second of load (after a short warm-up); no error of any kind may be counted. */
    private static TcpResult measure(int port, String mode, int connections, long serverPid) throws Exception {
        Run run = run(List.of(CLIENT, "--port", Integer.toString(port), "--mode", mode, "--connections",
                Integer.toString(connections), "--warmup", "0.2", "--seconds", "1",
                "--server-pid", Long.toString(serverPid)), 60);
        assertThat(run.stderr(), run.exit(), is(0));
        TcpResult r = parse(run.stdout());
        assertThat(r.mode(), is(mode));
        assertThat(r.connections(), is(connections));
        assertThat(run.stderr(), r.errors(), is(0L));
        return r;
    }

    private static TcpResult parse(String row) {
        return TcpResult.parse(List.of(TcpResult.RAW_HEADER, "test,1," + row.trim())).get(0);
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    private static Run run(List<String> command, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        if (!p.waitFor(timeoutSeconds, SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
        }
        return new Run(p.exitValue(), out.get(10, SECONDS), err.get(10, SECONDS));
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void gcc(String source, String binary) throws Exception {
        Process p = new ProcessBuilder("gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
                "-o", OUT.resolve(binary).toString(), SOURCES.resolve(source).toString())
                .redirectErrorStream(true).start();
        assertThat("gcc " + source + " finished", p.waitFor(60, SECONDS), is(true));
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat("gcc " + source + ": " + output, p.exitValue(), is(0));
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
