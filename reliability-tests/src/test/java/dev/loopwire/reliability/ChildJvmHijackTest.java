// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hijack attempts from outside the module graph, each in a child JVM: a provider jar on the class
 * path, and the same jar in a plugin folder (an automatic module in a plugin layer), both
 * claiming {@code dev.loopwire.transport.udp.bind}, with loopwire on the module path; then, with
 * loopwire itself on the class path, a jar that puts a provider into loopwire's own UDP package
 * (a split package) and a jar with a capability adapter whose name sorts first. Each is refused
 * as foreign in {@code explain}, never run, and UDP still binds with loopwire's own code. Plugin
 * folders load only when the user names one.
 */
class ChildJvmHijackTest {

    private static final String SERVICE = "dev.loopwire.transport.spi.TransportProvider";
    private static final String ROGUE = "rogue.udp.RogueUdp";

    @TempDir
    static Path dir;
    private static Path mainJar;
    private static Path rogueJar;
    private static String modulePath;

    private static final String ROGUE_SOURCE = """
            package rogue.udp;

            import dev.loopwire.loop.Capability;
            import dev.loopwire.loop.EventLoop;
            import dev.loopwire.loop.TransportKey;
            import dev.loopwire.transport.spi.TransportProvider;
            import dev.loopwire.transport.udp.Udp;
            import dev.loopwire.transport.udp.UdpBinder;
            import java.util.Set;

            public final class RogueUdp implements TransportProvider<UdpBinder> {
                public TransportKey<UdpBinder> key() { return Udp.BIND; }
                public Set<Class<? extends Capability>> requires() { return Set.of(); }
                public int priority() { return Integer.MAX_VALUE; }
                public UdpBinder create(EventLoop loop) {
                    System.out.println("ROGUE CREATE");
                    return (local, remote, handler, options) -> { throw new AssertionError("hijacked"); };
                }
            }
            """;

    /** A split package: loopwire's own UDP package name, in another jar. */
    private static final String SPLIT = "dev.loopwire.transport.udp.internal.AaaSplitUdp";
    private static final String SPLIT_SOURCE = ROGUE_SOURCE
            .replace("package rogue.udp;", "package dev.loopwire.transport.udp.internal;")
            .replace("RogueUdp", "AaaSplitUdp");

    /** An adapter offering FdReadiness on any loop, whose class name sorts before dev.loopwire.transport.internal.SelectorThreadAdapter. */
    private static final String ADAPTER = "aaa.rogue.AaaReadiness";
    private static final String ADAPTER_SOURCE = """
            package aaa.rogue;

            import dev.loopwire.loop.Capability;
            import dev.loopwire.loop.EventLoop;
            import dev.loopwire.loop.FdReadiness;
            import dev.loopwire.transport.spi.CapabilityAdapter;
            import java.util.Set;

            public final class AaaReadiness implements CapabilityAdapter<FdReadiness> {
                public Class<FdReadiness> offers() { return FdReadiness.class; }
                public Set<Class<? extends Capability>> requires() { return Set.of(); }
                public FdReadiness adapt(EventLoop loop) {
                    System.out.println("ROGUE ADAPT");
                    throw new IllegalStateException("hijacked");
                }
            }
            """;

    private static final String MAIN_SOURCE = """
            package rogue.main;

            import static java.util.concurrent.TimeUnit.SECONDS;

            import dev.loopwire.loop.EventLoop;
            import dev.loopwire.loop.EventLoops;
            import dev.loopwire.loop.Plugins;
            import dev.loopwire.transport.Explanation;
            import dev.loopwire.transport.Transports;
            import dev.loopwire.transport.udp.DatagramEndpoint;
            import dev.loopwire.transport.udp.Udp;
            import java.net.InetSocketAddress;

            public final class Main {
                public static void main(String[] args) throws Exception {
                    for (Plugins.Report r : Plugins.reports()) {
                        System.out.println("PLUGIN " + r.modules() + " " + r.failures());
                    }
                    try (EventLoop loop = EventLoops.open(System.getProperty("child.loop", "selector"))) {
                        Explanation report = Transports.explain(loop, Udp.BIND);
                        System.out.println(report);
                        for (Explanation.Candidate c : report.candidates()) {
                            System.out.println("CANDIDATE " + c.className() + " | " + c.verdict() + " | " + c.reason());
                        }
                        DatagramEndpoint e = Udp.bind(new InetSocketAddress("127.0.0.1", 0), (ep, d, s) -> { }, loop)
                                .toCompletableFuture().get(10, SECONDS);
                        System.out.println("BOUND " + e.localAddress());
                        e.close().toCompletableFuture().get(10, SECONDS);
                    }
                }
            }
            """;

    private static Path splitJar;
    private static Path adapterJar;
    /** loopwire with both loops and JNA, for a child that has no module path at all. */
    private static String classPath;

    @BeforeAll
    static void buildJars() throws Exception {
        modulePath = locations("dev.loopwire.loop", "dev.loopwire.transport", "dev.loopwire.transport.udp",
                "dev.loopwire.loop.selector");
        classPath = locations("dev.loopwire.loop", "dev.loopwire.transport", "dev.loopwire.transport.udp",
                "dev.loopwire.loop.selector", "dev.loopwire.loop.completion", "com.sun.jna");
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path rogue = src.resolve("RogueUdp.java");
        Path main = src.resolve("Main.java");
        Files.writeString(rogue, ROGUE_SOURCE);
        Files.writeString(main, MAIN_SOURCE);
        run(List.of(tool("javac"), "--module-path", modulePath, "--add-modules", "dev.loopwire.transport.udp",
                "-d", classes.toString(), rogue.toString(), main.toString()));
        rogueJar = jar(dir.resolve("rogue.jar"), classes, "rogue/udp/",
                "META-INF/services/" + SERVICE, ROGUE + "\n");
        mainJar = jar(dir.resolve("main.jar"), classes, "rogue/main/", null, null);
        // Compiled against loopwire on the class path: javac refuses a split package on the module path.
        Path cpClasses = Files.createDirectories(dir.resolve("cp-classes"));
        Path split = src.resolve("AaaSplitUdp.java");
        Path adapter = src.resolve("AaaReadiness.java");
        Files.writeString(split, SPLIT_SOURCE);
        Files.writeString(adapter, ADAPTER_SOURCE);
        run(List.of(tool("javac"), "-cp", classPath, "-d", cpClasses.toString(), split.toString(), adapter.toString()));
        splitJar = jar(dir.resolve("split.jar"), cpClasses, "dev/", "META-INF/services/" + SERVICE, SPLIT + "\n");
        adapterJar = jar(dir.resolve("rogue-adapter.jar"), cpClasses, "aaa/rogue/",
                "META-INF/services/dev.loopwire.transport.spi.CapabilityAdapter", ADAPTER + "\n");
    }

    private static String locations(String... modules) {
        return Stream.of(modules)
                .map(name -> Path.of(ModuleLayer.boot().configuration().findModule(name).orElseThrow()
                        .reference().location().orElseThrow()).toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Test
    void aClassPathProviderForAModulePathKeyIsRefused() throws Exception {
        String out = child(List.of("-cp", mainJar + File.pathSeparator + rogueJar));
        assertRefusedAndUdpWorks(out);
    }

    @Test
    void aPluginFolderJarClaimingAStandardKeyIsRefused() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(rogueJar, plugins.resolve("rogue.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String out = child(List.of("-Dloopwire.plugins=" + plugins, "-cp", mainJar.toString()));
        assertThat(out, containsString("PLUGIN [rogue] {}"));
        assertRefusedAndUdpWorks(out);
    }

    @Test
    void onTheClassPathASplitPackageFromAnotherJarIsForeign() throws Exception {
        String out = run(List.of(tool("java"), "-cp", String.join(File.pathSeparator, classPath, mainJar.toString(),
                splitJar.toString()), "rogue.main.Main"));
        String split = candidate(out, SPLIT);
        assertThat(split, startsWith("CANDIDATE " + SPLIT + " | PASSED_OVER | foreign: class path (split.jar) does not own"
                + " 'dev.loopwire.transport.udp.bind' (owner: class path ("));
        assertThat(split, containsString("); allow it with -Dloopwire.allow=" + SPLIT));
        assertUdpWorksWithLoopwiresOwn(out);
    }

    @Test
    void onTheClassPathAForeignAdapterWhoseNameSortsFirstIsRefused() throws Exception {
        String out = run(List.of(tool("java"), "-Dchild.loop=completion",
                "-Dloopwire.provider.dev.loopwire.transport.udp.bind=dev.loopwire.transport.udp.internal.ReadinessUdpProvider",
                "-cp", String.join(File.pathSeparator, classPath, mainJar.toString(), adapterJar.toString()),
                "rogue.main.Main"));
        assertThat(out, candidate(out, "dev.loopwire.transport.udp.internal.ReadinessUdpProvider"),
                is("CANDIDATE dev.loopwire.transport.udp.internal.ReadinessUdpProvider | CHOSEN"
                        + " | through SelectorThreadAdapter for FdReadiness"));
        assertThat(out, containsString("foreign: class path (rogue-adapter.jar) does not own FdReadiness"
                + " (owner: class path ("));
        assertThat(out, containsString("allow it with -Dloopwire.allow=" + ADAPTER));
        assertThat(out, not(containsString("ROGUE ADAPT")));
        assertThat(out, containsString("BOUND /127.0.0.1:"));
    }

    @Test
    void aPluginsFolderInTheWorkingDirectoryIsNotLoadedByDefault() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work-default"));
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Files.copy(rogueJar, plugins.resolve("rogue.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String out = child(List.of("-cp", mainJar.toString()), work);
        assertNothingLoaded(out);
    }

    @Test
    void anEmptyOrBlankPluginsPropertyLoadsNothing() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work-empty"));
        Files.copy(rogueJar, work.resolve("rogue.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(work.resolve("plugins"));
        Files.copy(rogueJar, work.resolve("plugins").resolve("rogue.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertNothingLoaded(child(List.of("-Dloopwire.plugins=", "-cp", mainJar.toString()), work));
        assertNothingLoaded(child(List.of("-Dloopwire.plugins=  ", "-cp", mainJar.toString()), work));
    }

    @Test
    void aNamedRelativeFolderLoadsAndIsLoggedAtInfoWithItsAbsolutePath() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work-named"));
        Path plugins = Files.createDirectories(work.resolve("extensions"));
        Files.copy(rogueJar, plugins.resolve("rogue.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String out = child(List.of("-Dloopwire.plugins=extensions", "-cp", mainJar.toString()), work);
        assertThat(out, containsString("PLUGIN [rogue] {}"));
        assertThat(out, containsString("INFO: Plugin folder " + plugins.toRealPath() + ": loaded modules [rogue] from [rogue.jar]"));
        assertRefusedAndUdpWorks(out);
    }

    private static void assertNothingLoaded(String out) {
        assertThat(out, not(containsString("PLUGIN ")));
        assertThat(out, not(containsString("CANDIDATE " + ROGUE)));
        assertThat(out, not(containsString("Plugin folder")));
        assertUdpWorksWithLoopwiresOwn(out);
    }

    private static String candidate(String out, String className) {
        return out.lines().filter(l -> l.startsWith("CANDIDATE " + className + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(className + " not among the candidates:\n" + out));
    }

    private static void assertUdpWorksWithLoopwiresOwn(String out) {
        assertThat(out, out.lines().toList(),
                hasItem(startsWith("CANDIDATE dev.loopwire.transport.udp.internal.ReadinessUdpProvider | CHOSEN")));
        assertThat(out, not(containsString("ROGUE CREATE")));
        assertThat(out, containsString("BOUND /127.0.0.1:"));
    }

    private static void assertRefusedAndUdpWorks(String out) {
        List<String> lines = out.lines().toList();
        String rogue = lines.stream().filter(l -> l.startsWith("CANDIDATE " + ROGUE + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("rogue provider not discovered:\n" + out));
        assertThat(rogue, startsWith("CANDIDATE " + ROGUE + " | PASSED_OVER | foreign: "));
        assertThat(rogue, containsString(" does not own 'dev.loopwire.transport.udp.bind' (owner: dev.loopwire.transport.udp);"
                + " allow it with -Dloopwire.allow=" + ROGUE));
        assertThat(lines, hasItem(startsWith("CANDIDATE dev.loopwire.transport.udp.internal.ReadinessUdpProvider | CHOSEN")));
        assertThat(out, not(containsString("ROGUE CREATE")));
        assertThat(out, containsString("BOUND /127.0.0.1:"));
    }

    private static String child(List<String> args) throws Exception {
        return child(args, null);
    }

    private static String child(List<String> args, Path workingDirectory) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool("java"), "--module-path", modulePath,
                "--add-modules", "dev.loopwire.transport.udp,dev.loopwire.loop.selector"));
        command.addAll(args);
        command.add("rogue.main.Main");
        return run(command, workingDirectory);
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String run(List<String> command) throws Exception {
        return run(command, null);
    }

    private static String run(List<String> command, Path workingDirectory) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        Process p = builder.start();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
            assertThat("finished in time: " + command, p.waitFor(60, TimeUnit.SECONDS), is(true));
        } finally {
            p.destroyForcibly();
        }
        String out = new String(output, StandardCharsets.UTF_8);
        assertThat("exit code of " + command + ":\n" + out, p.exitValue(), is(0));
        return out;
    }

    private static Path jar(Path jar, Path classes, String prefix, String extraName, String extraText) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path c : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = classes.relativize(c).toString().replace(File.separatorChar, '/');
                if (name.startsWith(prefix)) {
                    out.putNextEntry(new JarEntry(name));
                    out.write(Files.readAllBytes(c));
                    out.closeEntry();
                }
            }
            if (extraName != null) {
                out.putNextEntry(new JarEntry(extraName));
                out.write(extraText.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }
}
