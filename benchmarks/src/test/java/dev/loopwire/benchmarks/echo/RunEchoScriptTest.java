// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.benchmarks.report.EchoResult;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** run-echo.sh: its server list names real classes, and a short run measures every window and peer count. */
class RunEchoScriptTest {

    @Test
    void everyServerInTheScriptHasAMainMethod() throws Exception {
        String script = Files.readString(Path.of("run-echo.sh"));
        Matcher m = Pattern.compile("^\\s*\"([a-z0-9_-]+)\\|\\$JAVA_CMD (dev\\.loopwire\\.benchmarks\\.echo\\.\\w+) ",
                Pattern.MULTILINE).matcher(script);
        List<String> names = new java.util.ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
            Method main = Class.forName(m.group(2)).getMethod("main", String[].class);
            assertThat(m.group(2) + ".main is static", Modifier.isStatic(main.getModifiers()), is(true));
        }
        assertThat(names, hasItems("jdk-selector", "netty-epoll", "loopwire-selector", "loopwire-completion"));
    }

    /**
     * The whole script, on the C server only: programs compiled here into a scratch target, the
     * report run from this test's class path. One row per (window, peers), in that order.
     */
    @Test
    void aRunWithSeveralPeerCountsReportsOneRowForEachWindowAndPeers() throws Exception {
        assumeTrue(onPath("gcc") && onPath("bash"), "gcc and bash are needed to run the harness");
        Path target = Files.createDirectories(Path.of("target", "run-echo-test"));
        for (String[] program : new String[][] {{"echo_server.c", "echo-server-c"}, {"echo_client.c", "echo-client"}}) {
            Process gcc = new ProcessBuilder("gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-o",
                    target.resolve(program[1]).toString(), Path.of("src", "main", "c", program[0]).toString(), "-lm")
                    .redirectErrorStream(true).start();
            assertThat(gcc.waitFor(60, SECONDS), is(true));
            assertThat(new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8), gcc.exitValue(), is(0));
        }
        ProcessBuilder run = new ProcessBuilder("bash", "run-echo.sh", "--skip-build", "--servers", "c-recvmmsg",
                "--windows", "4,16", "--peers", "1,8", "--seconds", "0.3", "--warmup", "0")
                .redirectError(target.resolve("stderr.txt").toFile());
        run.environment().put("ECHO_TARGET", target.toAbsolutePath().toString());
        run.environment().put("ECHO_CLASSPATH", System.getProperty("java.class.path"));
        Process script = run.start();
        String table = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor(120, SECONDS), is(true));
        assertThat(table + Files.readString(target.resolve("stderr.txt")), script.exitValue(), is(0));
        assertThat(table, containsString(" peers "));

        List<EchoResult> rows = EchoResult.parse(Files.readAllLines(target.resolve("echo-raw.csv")));
        assertThat(rows.stream().map(r -> r.window() + "/" + r.peers()).toList(), is(List.of("4/1", "4/8", "16/1", "16/8")));
        for (EchoResult r : rows) {
            assertThat(r.toString(), r.echoes(), is(greaterThan(0L)));
            assertThat(r.toString(), r.corrupt(), is(0L));
        }
        List<String> results = Files.readAllLines(target.resolve("echo-results.csv"));
        assertThat(results.get(0), is(EchoResult.SINGLE_PEER_RAW_HEADER + ",ratio_to_c-recvmmsg,peers"));
        assertThat(results.get(2), containsString(",1.000,8"));
        assertThat(Files.readString(target.resolve("echo-machine.txt")), containsString("peers: 1,8"));
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
