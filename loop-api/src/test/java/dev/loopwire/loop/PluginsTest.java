// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsTest {

    @TempDir
    Path dir;

    @Test
    void goodJarsLoadAndBadOnesAreReportedNotFatal() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        jar(plugins.resolve("hello-plugin-1.0.jar"), null);
        Files.write(plugins.resolve("junk.jar"), new byte[] {1, 2, 3, 4});
        Path classes = compile("module needs.other { requires other.missing; }", "needs.other");
        jar(plugins.resolve("needs-other.jar"), classes);

        Plugins.Report report = Plugins.load(plugins);

        assertThat(report.modules(), contains("hello.plugin"));
        ModuleLayer layer = report.layer().orElseThrow();
        assertThat(layer.findModule("hello.plugin").isPresent(), is(true));
        assertThat(report.failures().get(plugins.resolve("junk.jar")), startsWith("not a usable module: "));
        assertThat(report.failures().get(plugins.resolve("needs-other.jar")),
                startsWith("cannot be resolved: Module other.missing not found, required by needs.other"));
        assertThat(Plugins.layers().contains(layer), is(true));
    }

    @Test
    void anEmptyFolderMakesNoLayer() throws IOException {
        Plugins.Report report = Plugins.load(Files.createDirectories(dir.resolve("empty")));
        assertThat(report.layer().isPresent(), is(false));
        assertThat(report.failures().isEmpty(), is(true));
    }

    @Test
    void aRelativeFolderIsResolvedAgainstTheWorkingDirectoryAndReportedAbsolute() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("relative"));
        Path relative = Path.of("").toAbsolutePath().relativize(folder);
        assertThat(relative.isAbsolute(), is(false));
        Plugins.Report report = Plugins.load(relative);
        assertThat(report.folder(), is(folder.toAbsolutePath().normalize()));
    }

    @Test
    void anEmptyOrBlankPropertyMeansOffAndARelativeOneIsMadeAbsolute() {
        assertThat(Plugins.folderNamedBy(null), is(Optional.empty()));
        assertThat(Plugins.folderNamedBy(""), is(Optional.empty()));
        assertThat(Plugins.folderNamedBy(" \t "), is(Optional.empty()));
        assertThat(Plugins.folderNamedBy(" plugins "), is(Optional.of(Path.of("plugins").toAbsolutePath())));
    }

    /** Compiles a module-info with the JDK's javac, run as a process. */
    private Path compile(String moduleInfo, String name) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src-" + name));
        Files.writeString(src.resolve("module-info.java"), moduleInfo);
        Path out = Files.createDirectories(dir.resolve("out-" + name));
        // javac would refuse a missing module; compile against a stub of it, then leave the stub out.
        Path stubSrc = Files.createDirectories(dir.resolve("stub"));
        Files.writeString(stubSrc.resolve("module-info.java"), "module other.missing { }");
        Path stubOut = Files.createDirectories(dir.resolve("stub-out"));
        run(javac(), "-d", stubOut.toString(), stubSrc.resolve("module-info.java").toString());
        run(javac(), "--module-path", stubOut.toString(), "-d", out.toString(), src.resolve("module-info.java").toString());
        return out;
    }

    private static String javac() {
        return Path.of(System.getProperty("java.home"), "bin", "javac").toString();
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS), is(true));
        assertThat(String.join(" ", command), p.exitValue(), is(0));
    }

    private static void jar(Path jar, Path classes) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            if (classes != null) {
                for (Path file : List.of(classes.resolve("module-info.class"))) {
                    out.putNextEntry(new JarEntry("module-info.class"));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
        }
    }
}
