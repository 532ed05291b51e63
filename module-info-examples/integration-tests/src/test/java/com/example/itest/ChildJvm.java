// SPDX-License-Identifier: Apache-2.0
package com.example.itest;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Starts a child JVM (or jshell) with a timeout and captures its output. */
final class ChildJvm {

    /** What a child printed (stdout and stderr together) and how it exited. */
    record Result(int exitCode, String output) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    static final Path MODULES = Path.of(System.getProperty("modules.dir", "target/modules"));
    static final Path EXAMPLES = Path.of(System.getProperty("examples.dir", ".."));

    private ChildJvm() {
    }

    /** Every jar copied for the tests whose file name passes {@code filter}, joined for a path. */
    static String jars(Predicate<String> filter) throws IOException {
        try (Stream<Path> list = Files.list(MODULES)) {
            return list.filter(p -> p.toString().endsWith(".jar") && filter.test(p.getFileName().toString()))
                    .sorted().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        }
    }

    /** The jar of one example, such as {@code heartbeat}. */
    static Path jar(String artifact) throws IOException {
        try (Stream<Path> list = Files.list(MODULES)) {
            return list.filter(p -> p.getFileName().toString().startsWith(artifact + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + artifact + " jar in " + MODULES));
        }
    }

    /** The folder holding {@link Probe}, for a class path. */
    static String probeClasses() {
        try {
            return Path.of(Probe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs the probe on a module path: the probe itself on the class path, reading every module. */
    static Result probeOnModulePath(String modulePath, List<String> properties, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "--module-path", modulePath,
                "--add-modules", "ALL-MODULE-PATH", "-cp", probeClasses()));
        cmd.addAll(properties);
        cmd.add(Probe.class.getName());
        cmd.addAll(List.of(args));
        return run(cmd, Duration.ofSeconds(30));
    }

    /** Runs the probe with every jar on the class path: no module-info is read. */
    static Result probeOnClassPath(String classPath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", classPath + File.pathSeparator + probeClasses(),
                Probe.class.getName()));
        cmd.addAll(List.of(args));
        return run(cmd, Duration.ofSeconds(30));
    }

    static String java() {
        return JAVA_HOME.resolve("bin").resolve("java").toString();
    }

    static Result run(List<String> command, Duration timeout) throws Exception {
        Path out = Files.createTempFile("child-jvm", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            process.getOutputStream().close(); // nothing to read: a child waiting for input ends at once
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("Timed out after " + timeout + ": " + command + "\n" + Files.readString(out));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
