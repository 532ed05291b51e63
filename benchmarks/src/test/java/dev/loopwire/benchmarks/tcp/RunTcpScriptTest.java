// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * run-tcp.sh's server list and its argument checks, run with bash. Nothing here builds or
 * measures: every case ends before the build (the script checks its arguments and the file
 * descriptor limit first).
 */
class RunTcpScriptTest {

    @Test
    void listNamesEveryServerAndEveryJavaServerHasAMainMethod() throws Exception {
        Run run = script(List.of("--list"));
        assertThat(run.stderr(), run.exit(), is(0));
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("^([a-z0-9_-]+): (.*)$", Pattern.MULTILINE).matcher(run.stdout());
        while (m.find()) {
            names.add(m.group(1));
            Matcher java = Pattern.compile(" (dev\\.loopwire\\.benchmarks\\.tcp\\.\\w+) --port 0 --bind 127\\.0\\.0\\.1$")
                    .matcher(m.group(2));
            if (java.find()) {
                Method main = Class.forName(java.group(1)).getMethod("main", String[].class);
                assertThat(java.group(1) + ".main is static", Modifier.isStatic(main.getModifiers()), is(true));
            } else {
                assertThat(m.group(2), startsWith(System.getProperty("user.dir") + "/target/tcp-server-c --port 0"));
            }
        }
        assertThat(names, contains("c-epoll", "netty-nio", "netty-epoll", "netty-io_uring", "loopwire-selector",
                "loopwire-completion"));
    }

    @Test
    void badArgumentsExit2NamingTheValue() throws Exception {
        assertRefused(List.of("--bogus"), "run-tcp.sh: unknown argument '--bogus'");
        assertRefused(List.of("--seconds", "0"), "run-tcp.sh: bad value '0' for --seconds: expected a positive number of seconds");
        assertRefused(List.of("--seconds", "two"),
                "run-tcp.sh: bad value 'two' for --seconds: expected a positive number of seconds");
        assertRefused(List.of("--warmup", "-1"),
                "run-tcp.sh: bad value '-1' for --warmup: expected a number of seconds (0 or more)");
        assertRefused(List.of("--connections", "1,0,64"),
                "run-tcp.sh: bad value '1,0,64' for --connections: '0' is not a count from 1 to 100000 (use e.g. 1,64,1000)");
        assertRefused(List.of("--runs", "3x"), "run-tcp.sh: bad value '3x' for --runs: expected a positive integer");
        assertRefused(List.of("--modes", "rr,udp"), "run-tcp.sh: bad value 'rr,udp' for --modes: expected rr, bulk or rr,bulk");
        assertRefused(List.of("--pin-cpus", "1"),
                "run-tcp.sh: bad value '1' for --pin-cpus: expected SERVER_CPU,CLIENT_CPU such as 1,0");
        assertRefused(List.of("--servers", "c-epoll,nope"),
                "run-tcp.sh: unknown server 'nope' in --servers; --list shows the names");
        assertRefused(List.of("--seconds"), "run-tcp.sh: --seconds needs a value");
    }

    /** With a hard limit below what 1,000 connections need, the script stops before building, saying why. */
    @Test
    void aFileDescriptorLimitTooLowFailsAtOnceWithTheRemedy() throws Exception {
        Run run = run(List.of("bash", "-c", "ulimit -n 300 && exec bash run-tcp.sh --skip-build"));
        assertThat(run.exit(), is(1));
        assertThat(run.stderr().trim(), is("run-tcp.sh: 1000 connections need 1256 file descriptors per process"
                + " (client and server each), but 'ulimit -n' is 300 and cannot go higher (hard limit 300). Raise the"
                + " hard limit (as root: ulimit -Hn 1256, or nofile in /etc/security/limits.conf) or measure fewer"
                + " connections (--connections 1,64)."));
    }

    private static void assertRefused(List<String> args, String message) throws Exception {
        Run run = script(args);
        assertThat(args + ": " + run.stderr(), run.exit(), is(2));
        assertThat(run.stderr().lines().findFirst().orElse(""), is(message));
        assertThat("the usage follows", run.stderr(), org.hamcrest.Matchers.containsString("bash benchmarks/run-tcp.sh"));
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    private static Run script(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "run-tcp.sh"));
        command.addAll(args);
        return run(command);
    }

    private static Run run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        if (!p.waitFor(30, SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within 30 s");
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
}
