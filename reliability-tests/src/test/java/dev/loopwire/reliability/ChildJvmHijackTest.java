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
 * Hijack attempts from outside the module graph, each in a child JVM that has loopwire on its
 * module path: a provider jar on the class path, and the same jar in a plugin folder (an
 * automatic module in a plugin layer), both claiming {@code dev.loopwire.transport.udp.bind}.
 * Both are discovered, refused as foreign in {@code explain}, never created, and UDP still binds
 * with loopwire's own provider.
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
                    try (EventLoop loop = EventLoops.open("selector")) {
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

    @BeforeAll
    static void buildJars() throws Exception {
        modulePath = Stream.of("dev.loopwire.loop", "dev.loopwire.transport", "dev.loopwire.transport.udp",
                        "dev.loopwire.loop.selector")
                .map(name -> Path.of(ModuleLayer.boot().configuration().findModule(name).orElseThrow()
                        .reference().location().orElseThrow()).toString())
                .collect(Collectors.joining(File.pathSeparator));
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
        List<String> command = new ArrayList<>(List.of(tool("java"), "--module-path", modulePath,
                "--add-modules", "dev.loopwire.transport.udp,dev.loopwire.loop.selector"));
        command.addAll(args);
        command.add("rogue.main.Main");
        return run(command);
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
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
