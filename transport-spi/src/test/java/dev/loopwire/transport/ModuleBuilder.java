// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Compiles test modules with the JDK's javac (run as a process) and jars them. */
final class ModuleBuilder {

    private ModuleBuilder() {
    }

    /**
     * Compiles every module in {@code sources} (path "module/relative/File.java" → text) against
     * loopwire's own modules, and jars {@code only} into a fresh plugin folder.
     *
     * @return the plugin folder
     */
    static Path build(Path dir, Map<String, String> sources, String only) throws Exception {
        Path src = dir.resolve("src");
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
        }
        Path out = dir.resolve("out");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", out.toString(), "--module-source-path", src.toString(),
                "--module-path", modulePath()));
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> command.add(p.toString()));
        }
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS), is(true));
        assertThat(String.join(" ", command), p.exitValue(), is(0));
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        jar(out.resolve(only), plugins.resolve(only + ".jar"));
        return plugins;
    }

    /** Where loop-api and transport-spi were loaded from (their classes folders under Surefire). */
    private static String modulePath() {
        return String.join(java.io.File.pathSeparator,
                location(dev.loopwire.loop.EventLoop.class), location(Transports.class));
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }
}
