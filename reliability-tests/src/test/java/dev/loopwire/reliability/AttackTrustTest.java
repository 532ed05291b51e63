// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.File;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust attacks that docs/security.md's threat covers ("a jar that ended up on the path tries
 * to take over a transport or see the sockets other transports register") but its trust rule,
 * written for transport providers and capability adapters, does not name: a stray jar with an
 * {@code EventLoopProvider} called {@code selector}, of the highest priority, whose loop carries
 * its own UDP ({@code EventLoop.implementation}, step 2 of the dispatch, which no trust check
 * guards). Run in a child JVM with loopwire on the module path and the jar on the class path.
 */
class AttackTrustTest {

    @TempDir
    static Path dir;

    static final String LOOP_SOURCE = """
            package rogue.loop;

            import dev.loopwire.loop.Availability;
            import dev.loopwire.loop.Capability;
            import dev.loopwire.loop.EventLoop;
            import dev.loopwire.loop.TransportKey;
            import dev.loopwire.loop.selector.SelectorLoop;
            import dev.loopwire.loop.spi.EventLoopProvider;
            import dev.loopwire.transport.Transports;
            import dev.loopwire.transport.udp.Udp;
            import dev.loopwire.transport.udp.UdpBinder;
            import java.util.Optional;
            import java.util.Set;
            import java.util.concurrent.ThreadFactory;

            public final class RogueLoops implements EventLoopProvider {
                public String name() { return "selector"; }
                public Set<String> aliases() { return Set.of("completion", "io_uring"); }
                public Availability availability() { return Availability.available(); }
                public int priority() { return Integer.MAX_VALUE; }
                public Set<Class<? extends Capability>> capabilities() { return SelectorLoop.open().capabilities(); }
                public EventLoop open(ThreadFactory threads) {
                    System.out.println("ROGUE LOOP OPENED");
                    return new Spy(SelectorLoop.open());
                }

                static final class Spy implements EventLoop {
                    final EventLoop inner;
                    Spy(EventLoop inner) { this.inner = inner; }
                    public String name() { return inner.name(); }
                    public Set<Class<? extends Capability>> capabilities() { return inner.capabilities(); }
                    public <C extends Capability> Optional<C> capability(Class<C> type) { return inner.capability(type); }
                    @SuppressWarnings("unchecked")
                    public <T> Optional<T> implementation(TransportKey<T> key) {
                        if (key.equals(Udp.BIND)) {
                            UdpBinder real = Transports.resolve(inner, Udp.BIND);
                            UdpBinder spy = (local, remote, handler, options) -> {
                                System.out.println("ROGUE SAW SOCKET " + local);
                                return real.open(local, remote, handler, options);
                            };
                            return Optional.of((T) spy);
                        }
                        return Optional.empty();
                    }
                    public CloseHook addCloseHook(Runnable hook) { return inner.addCloseHook(hook); }
                    public boolean inLoop() { return inner.inLoop(); }
                    public boolean isClosed() { return inner.isClosed(); }
                    public void close() { inner.close(); }
                    public void execute(Runnable task) { inner.execute(task); }
                }
            }
            """;

    static final String MAIN_SOURCE = """
            package rogue.main;

            import static java.util.concurrent.TimeUnit.SECONDS;

            import dev.loopwire.loop.EventLoop;
            import dev.loopwire.loop.EventLoops;
            import dev.loopwire.transport.udp.DatagramEndpoint;
            import dev.loopwire.transport.udp.Udp;
            import java.net.InetSocketAddress;

            public final class Main {
                public static void main(String[] args) throws Exception {
                    EventLoops.providers().forEach(p -> System.out.println("KIND " + p.name() + " " + p.getClass().getName()));
                    try (EventLoop named = EventLoops.open("selector")) {
                        System.out.println("OPEN(selector) -> " + named.getClass().getName());
                    }
                    try (EventLoop best = EventLoops.open()) {
                        System.out.println("OPEN() -> " + best.getClass().getName());
                    }
                    DatagramEndpoint e = Udp.bind(new InetSocketAddress("127.0.0.1", 0), (ep, d, s) -> { })
                            .toCompletableFuture().get(10, SECONDS);
                    System.out.println("DEFAULT LOOP " + EventLoops.defaultLoop().getClass().getName());
                    System.out.println("BOUND " + e.localAddress());
                    e.close().toCompletableFuture().get(10, SECONDS);
                    EventLoops.defaultLoop().close();
                    System.exit(0);
                }
            }
            """;

    @Test
    void aStrayJarWithALoopProviderCalledSelectorDoesNotTakeOverLoopsOrSeeSockets() throws Exception {
        String modulePath = Stream.of("dev.loopwire.loop", "dev.loopwire.transport", "dev.loopwire.transport.udp",
                        "dev.loopwire.loop.selector")
                .map(name -> Path.of(ModuleLayer.boot().configuration().findModule(name).orElseThrow()
                        .reference().location().orElseThrow()).toString())
                .collect(Collectors.joining(File.pathSeparator));
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path loop = Files.writeString(src.resolve("RogueLoops.java"), LOOP_SOURCE);
        Path main = Files.writeString(src.resolve("Main.java"), MAIN_SOURCE);
        run(List.of(tool("javac"), "--module-path", modulePath,
                "--add-modules", "dev.loopwire.transport.udp,dev.loopwire.loop.selector",
                "-d", classes.toString(), loop.toString(), main.toString()));
        Path rogueJar = dir.resolve("rogue-loop.jar");
        try (OutputStream file = Files.newOutputStream(rogueJar); JarOutputStream out = new JarOutputStream(file);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path c : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(c));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/dev.loopwire.loop.spi.EventLoopProvider"));
            out.write("rogue.loop.RogueLoops\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        String out = run(List.of(tool("java"), "--module-path", modulePath,
                "--add-modules", "dev.loopwire.transport.udp,dev.loopwire.loop.selector",
                "-cp", rogueJar.toString(), "rogue.main.Main"));
        assertThat(out, containsString("BOUND /127.0.0.1:"));
        assertThat("EventLoops.open(\"selector\") opens loopwire's selector loop\n" + out, out,
                containsString("OPEN(selector) -> dev.loopwire.loop.selector.SelectorLoop"));
        assertThat("a stray loop provider sees no socket of Udp.bind on the default loop\n" + out, out,
                not(containsString("ROGUE SAW SOCKET")));
        assertThat("a stray loop provider does not become the default loop\n" + out, out,
                not(containsString("DEFAULT LOOP rogue.")));
    }

    static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    static String run(List<String> command) throws Exception {
        Path log = Files.createTempFile(dir, "child", ".log");
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String out = Files.readString(log);
        assertThat("ended in time: " + command + "\n" + out, ended, is(true));
        assertThat("exit code of " + command + ":\n" + out, p.exitValue(), is(0));
        return out;
    }

}
