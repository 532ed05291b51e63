// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.benchmarks.report.EchoResult;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Builds the C echo server and load client with gcc, as {@code run-echo.sh} does, and runs one
 * short measurement; skipped (with the reason) where gcc is not on PATH.
 */
class CEchoProgramsTest {

    private static final Path SOURCES = Path.of("src", "main", "c");
    private static final Path OUT = Path.of("target", "c-test");

    @BeforeAll
    static void compile() throws Exception {
        assumeTrue(onPath("gcc"), "gcc is not on PATH; the C echo programs cannot be built here");
        Files.createDirectories(OUT);
        gcc("echo_server.c", "echo-server-c");
        gcc("echo_client.c", "echo-client");
    }

    @Test
    void clientHeaderMatchesTheColumnsTheReportReads() throws Exception {
        Process header = new ProcessBuilder(OUT.resolve("echo-client").toString(), "--header").start();
        assertThat(header.waitFor(10, SECONDS), is(true));
        String line = new String(header.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat("server," + line, is(EchoResult.RAW_HEADER));
    }

    @Test
    void thousandDatagramsAtWindow16ComeBackWithoutLoss() throws Exception {
        Process server = new ProcessBuilder(OUT.resolve("echo-server-c").toString(), "--port", "0",
                "--bind", "127.0.0.1").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> readLine(out)).get(10, SECONDS);
            assertThat(ready, startsWith("ready "));
            String port = ready.substring("ready ".length());

            Process client = new ProcessBuilder(OUT.resolve("echo-client").toString(), "--port", port,
                    "--window", "16", "--count", "1000", "--warmup", "0", "--seconds", "20",
                    "--server-pid", Long.toString(server.pid()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertThat("client finished", client.waitFor(30, SECONDS), is(true));
            assertThat(client.exitValue(), is(0));
            String row = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            EchoResult result = EchoResult.parse(List.of(EchoResult.RAW_HEADER, "c-recvmmsg," + row)).get(0);
            assertThat(result.window(), is(16));
            assertThat(result.echoes(), is(1000L));
            assertThat(result.losses(), is(0L));
            assertThat(result.corrupt(), is(0L));

            server.destroy(); // SIGTERM: the server must stop cleanly
            assertThat("server stopped", server.waitFor(10, SECONDS), is(true));
            assertThat(server.exitValue(), is(0));
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aWindowSpreadOverAThousandPeersComesBackEachToItsSender() throws Exception {
        Process server = new ProcessBuilder(OUT.resolve("echo-server-c").toString(), "--port", "0",
                "--bind", "127.0.0.1").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> readLine(out)).get(10, SECONDS);
            assertThat(ready, startsWith("ready "));
            EchoResult result = runClient(ready.substring("ready ".length()), "--window", "256", "--peers", "1024",
                    "--count", "5000");
            assertThat(result.peers(), is(1024));
            assertThat(result.window(), is(256));
            assertThat(result.echoes(), is(5000L));
            assertThat(result.losses(), is(0L));
            assertThat(result.corrupt(), is(0L));
        } finally {
            server.destroyForcibly();
        }
    }

    /** A server that answers every peer to the first one it heard: the client must see it. */
    @Test
    void anEchoThatReachesAnotherPeerThanItsSenderCountsAsCorrupt() throws Exception {
        try (DatagramSocket wrong = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            wrong.setSoTimeout(100);
            Thread echo = new Thread(() -> {
                byte[] buffer = new byte[2048];
                SocketAddress first = null;
                while (!wrong.isClosed()) {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    try {
                        wrong.receive(packet);
                        first = first == null ? packet.getSocketAddress() : first;
                        wrong.send(new DatagramPacket(buffer, packet.getLength(), first));
                    } catch (SocketTimeoutException e) {
                        // look at isClosed() again
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "misrouting-echo");
            echo.start();
            ProcessBuilder builder = new ProcessBuilder(OUT.resolve("echo-client").toString(), "--port",
                    Integer.toString(wrong.getLocalPort()), "--window", "4", "--peers", "4", "--count", "40",
                    "--warmup", "0", "--seconds", "20", "--timeout-ms", "50");
            Process client = builder.start();
            assertThat("client finished", client.waitFor(30, SECONDS), is(true));
            String row = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String summary = new String(client.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(summary, client.exitValue(), is(0));
            EchoResult result = EchoResult.parse(List.of(EchoResult.RAW_HEADER, "misrouting," + row)).get(0);
            // Peer i sends datagrams i, i+4, ...: peer 0's 10 come back right, the other 30 reach peer 0.
            assertThat(summary, result.echoes(), is(10L));
            assertThat(summary, result.corrupt(), is(30L));
            assertThat(summary, result.losses(), is(30L));
            assertThat(summary, containsString("30 corrupt (30 to the wrong peer)"));
            wrong.close();
            echo.join(10_000);
        }
    }

    private static EchoResult runClient(String port, String... options) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(OUT.resolve("echo-client").toString(), "--port", port,
                "--warmup", "0", "--seconds", "20"));
        command.addAll(List.of(options));
        Process client = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat("client finished", client.waitFor(30, SECONDS), is(true));
        assertThat(client.exitValue(), is(0));
        String row = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return EchoResult.parse(List.of(EchoResult.RAW_HEADER, "c-recvmmsg," + row)).get(0);
    }

    @Test
    void serverRefusesANonLoopbackAddress() throws Exception {
        Process server = new ProcessBuilder(OUT.resolve("echo-server-c").toString(), "--bind", "10.1.2.3").start();
        assertThat(server.waitFor(10, SECONDS), is(true));
        assertThat(server.exitValue(), is(2));
        assertThat(new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim(),
                is("echo-server-c: bad --bind '10.1.2.3': only an IPv4 loopback address (127.0.0.1) is allowed"));
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
                "-o", OUT.resolve(binary).toString(), SOURCES.resolve(source).toString(), "-lm")
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
