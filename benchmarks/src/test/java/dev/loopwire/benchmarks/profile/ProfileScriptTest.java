// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.profile;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * profile.sh without profiling anything: its server names start real main classes, match
 * run-echo.sh's, and bad arguments stop it before it builds or starts anything.
 */
class ProfileScriptTest {

    /** The outcome of one run of the script. */
    record Run(int status, String out, String err) {
    }

    private static Run profile(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "profile.sh"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("profile.sh " + String.join(" ", args) + " did not end within 30 s");
        }
        return new Run(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void everyListedServerIsAMainClassOfTheHarness() throws Exception {
        Run run = profile("--list");
        assertThat(run.err(), run.status(), is(0));
        Matcher m = Pattern.compile("^([a-z0-9_-]+): (dev\\.loopwire\\.benchmarks\\.echo\\.\\w+)$", Pattern.MULTILINE)
                .matcher(run.out());
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
            Method main = Class.forName(m.group(2)).getMethod("main", String[].class);
            assertThat(m.group(2) + ".main is static", Modifier.isStatic(main.getModifiers()), is(true));
        }
        assertThat(names, hasItems("loopwire-selector", "loopwire-completion", "jdk-selector", "netty-nio"));
        String harness = Files.readString(Path.of("run-echo.sh"));
        for (String name : names) {
            assertThat("run-echo.sh names " + name, harness.contains("\"" + name + "|$JAVA_CMD "), is(true));
        }
    }

    @Test
    void anUnknownServerIsRefusedByName() throws Exception {
        Run run = profile("--servers", "loopwire-selector,nope");
        assertThat(run.status(), is(2));
        assertThat(run.err(), containsString("profile.sh: unknown server 'nope'; --list shows the names"));
    }

    @Test
    void aWindowThatIsNotAPositiveNumberIsRefused() throws Exception {
        Run zero = profile("--window", "0");
        assertThat(zero.status(), is(2));
        assertThat(zero.err(), containsString("profile.sh: '0' is not a positive whole number"));
        Run word = profile("--seconds", "ten");
        assertThat(word.status(), is(2));
        assertThat(word.err(), containsString("profile.sh: 'ten' is not a positive whole number"));
    }

    @Test
    void anUnknownOptionIsRefusedWithTheUsage() throws Exception {
        Run run = profile("--frobnicate");
        assertThat(run.status(), is(2));
        assertThat(run.err(), containsString("profile.sh: unknown argument '--frobnicate'"));
        assertThat(run.err(), containsString("bash benchmarks/profile.sh [--servers"));
    }
}
