// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import dev.loopwire.loop.completion.internal.CompletionLoopProvider;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.loopwire.loop.EventLoops;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A class-path application that has loop-iocp-jna but forgot JNA: the completion loop is
 * unavailable with a reason naming the artifact to add, nothing throws a bare
 * {@code NoClassDefFoundError}, and {@code EventLoops.open()} falls back to the selector loop,
 * saying why once at INFO and which loop it opened at DEBUG. Runs {@link NoJnaMain} in a child
 * JVM with JUL (the default System.Logger backend) printing every record.
 */
@EnabledOnOs(OS.LINUX)
class MissingJnaTest {

    private static final String MISSING = "JNA is missing: the completion loop needs the artifact"
            + " net.java.dev.jna:jna-jpms (module com.sun.jna) on the class path or module path, beside"
            + " loop-iocp-jna (java.lang.ClassNotFoundException: com.sun.jna.Native)";

    private static List<String> out;
    private static List<String> err;

    @BeforeAll
    static void runWithoutJna(@TempDir Path dir) throws Exception {
        Path logging = dir.resolve("logging.properties");
        Files.writeString(logging, String.join("\n",
                "handlers=java.util.logging.ConsoleHandler",
                "java.util.logging.ConsoleHandler.level=ALL",
                "java.util.logging.ConsoleHandler.formatter=java.util.logging.SimpleFormatter",
                "java.util.logging.SimpleFormatter.format=LOG %4$s %5$s%n",
                ".level=INFO",
                "dev.loopwire.level=ALL", ""));
        String classPath = String.join(File.pathSeparator, location(EventLoops.class), selectorLocation(),
                location(CompletionLoopProvider.class), location(NoJnaMain.class));
        assertThat(classPath, not(containsString("jna-jpms")));
        Path stdout = dir.resolve("out.txt");
        Path stderr = dir.resolve("err.txt");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.config.file=" + logging, "-cp", classPath, NoJnaMain.class.getName())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 60 s");
        }
        out = Files.readAllLines(stdout, StandardCharsets.UTF_8);
        err = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        assertThat("exit status; stderr: " + err, child.exitValue(), is(0));
    }

    @Test
    void theCompletionLoopIsUnavailableNamingTheArtifact() {
        assertThat(out, hasItem("provider selector: available"));
        assertThat(out, hasItem("provider completion: unavailable: " + MISSING));
    }

    @Test
    void openingItByNameOrAliasSaysTheSame() {
        assertThat(out, hasItem("open(completion): java.lang.IllegalStateException: Event loop 'completion'"
                + " is unavailable: " + MISSING));
        assertThat(out, hasItem("open(io_uring): java.lang.IllegalStateException: Event loop 'io_uring'"
                + " ('completion') is unavailable: " + MISSING));
    }

    @Test
    void thePlatformClassesAnswerInsteadOfThrowing() {
        assertThat(out, hasItem("IoUring: unavailable: " + MISSING));
        assertThat(out, hasItem("Iocp: unavailable: " + MISSING));
        assertThat(String.join("\n", out) + String.join("\n", err), not(containsString(
                "Could not initialize class")));
    }

    @Test
    void openFallsBackToTheSelectorLoopAndSaysWhyOnceAtInfo() {
        assertThat(out.stream().filter(l -> l.startsWith("open(): ")).collect(Collectors.toList()),
                is(List.of("open(): selector-1", "open(): selector-2")));
        List<String> info = err.stream().filter(l -> l.startsWith("LOG INFO ")).collect(Collectors.toList());
        assertThat(info, is(List.of("LOG INFO Event loop 'completion' (priority 10) is unavailable, so loopwire"
                + " uses 'selector' (priority 0): " + MISSING)));
    }

    @Test
    void everyOpenedLoopIsLoggedAtDebug() {
        List<String> debug = err.stream().filter(l -> l.startsWith("LOG FINE Opened event loop"))
                .collect(Collectors.toList());
        assertThat(debug.size(), is(2));
        assertThat(debug.get(0), startsWith("LOG FINE Opened event loop 'selector-1' of kind 'selector', the best"
                + " available (priority 0); found: selector (available), completion (unavailable: " + MISSING));
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** loop-selector is a test dependency only: found on this JVM's module path or class path. */
    private static String selectorLocation() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String value = System.getProperty(property, "");
            entries.addAll(Arrays.asList(value.split(File.pathSeparator)));
        }
        return entries.stream().filter(e -> e.contains("loop-selector")).findFirst()
                .orElseThrow(() -> new IOException("loop-selector is not on this JVM's paths: " + entries));
    }
}
