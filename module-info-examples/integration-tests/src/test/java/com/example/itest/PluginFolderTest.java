// SPDX-License-Identifier: Apache-2.0
package com.example.itest;

import static com.example.itest.ChildJvm.jar;
import static com.example.itest.ChildJvm.jars;
import static com.example.itest.ChildJvm.probeOnModulePath;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jar dropped into a plugin folder ({@code -Dloopwire.plugins=<dir>}) makes its key resolvable
 * in a JVM whose module path lacks it; a junk jar beside it is reported, not fatal.
 */
class PluginFolderTest {

    /** Everything but the heartbeat jar (and the demo, which requires it). */
    private static String withoutHeartbeat() throws Exception {
        return jars(n -> !n.startsWith("heartbeat-") && !n.startsWith("demo-"));
    }

    @TempDir
    Path dir;

    @Test
    void withoutThePluginTheKeyIsUnknown() throws Exception {
        ChildJvm.Result r = probeOnModulePath(withoutHeartbeat(), List.of("-Dloopwire.plugins=" + dir),
                "explain", "com.example.heartbeat.Heartbeat", "OPEN", "selector");

        assertThat(r.output(), r.exitCode(), is(2));
        assertThat(r.output(), r.lines(), is(List.of("no class com.example.heartbeat.Heartbeat")));
    }

    @Test
    void anExplicitModuleInThePluginFolderBecomesResolvable() throws Exception {
        Files.copy(jar("heartbeat"), dir.resolve("heartbeat.jar"));
        Files.write(dir.resolve("junk.jar"), new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'j', 'a', 'r'});
        List<String> plugins = List.of("-Dloopwire.plugins=" + dir);

        ChildJvm.Result explain = probeOnModulePath(withoutHeartbeat(), plugins,
                "explain", "com.example.heartbeat.Heartbeat", "OPEN", "selector");
        ChildJvm.Result report = probeOnModulePath(withoutHeartbeat(), plugins, "plugins");

        assertThat(explain.output(), explain.exitCode(), is(0));
        assertThat(explain.output(), explain.lines(), hasItem("chosen=ReadinessHeartbeatProvider source=provider"));
        List<String> facts = report.lines().stream().filter(l -> l.startsWith("plugin-")).toList(); // not the log
        assertThat(report.output(), facts.size(), is(2));
        assertThat(report.output(), facts.get(0), is("plugin-module com.example.heartbeat"));
        assertThat(report.output(), facts.get(1), startsWith("plugin-failure junk.jar: not a usable module: "));
    }

    @Test
    void aPlainJarWithoutModuleInfoWorksAsAnAutomaticModule() throws Exception {
        withoutModuleInfo(jar("heartbeat"), dir.resolve("heartbeat-plain.jar"));
        List<String> plugins = List.of("-Dloopwire.plugins=" + dir);

        ChildJvm.Result explain = probeOnModulePath(withoutHeartbeat(), plugins,
                "explain", "com.example.heartbeat.Heartbeat", "OPEN", "simulated");
        ChildJvm.Result providers = probeOnModulePath(withoutHeartbeat(), plugins, "providers");

        assertThat(explain.output(), explain.lines(), hasItem("chosen=UdpHeartbeatProvider source=provider"));
        assertThat(providers.output(), providers.lines(), hasItem(
                "provider UdpHeartbeatProvider key=com.example.heartbeat.open module=heartbeat.plain available"));
    }

    /** Copies a jar without its module-info.class: what a library built for the class path looks like. */
    static void withoutModuleInfo(Path from, Path to) throws Exception {
        try (JarFile in = new JarFile(from.toFile());
                JarOutputStream out = new JarOutputStream(Files.newOutputStream(to))) {
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                if (e.getName().equals("module-info.class")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(e.getName()));
                try (InputStream data = in.getInputStream(e)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }
}
