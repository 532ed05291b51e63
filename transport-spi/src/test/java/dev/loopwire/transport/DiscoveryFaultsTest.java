// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.Plugins;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@link java.util.ServiceLoader} failures: a module compiled here, loaded from a plugin
 * folder, whose providers fail in each way discovery can fail. Each failure is isolated and
 * reported; the other providers and keys work.
 */
class DiscoveryFaultsTest {

    private static final Map<String, String> SOURCES = Map.ofEntries(
            Map.entry("com.example.dep/module-info.java", "module com.example.dep { exports com.example.dep; }"),
            Map.entry("com.example.dep/com/example/dep/Base.java", "package com.example.dep; public class Base { }"),
            Map.entry("com.example.faulty/module-info.java", """
                module com.example.faulty {
                    requires dev.loopwire.transport;
                    requires static com.example.dep;
                    exports com.example.faulty;
                    provides dev.loopwire.transport.spi.TransportProvider with
                        com.example.faulty.Good, com.example.faulty.ThrowsInConstructor,
                        com.example.faulty.MissingDependency, com.example.faulty.CreateThrows,
                        com.example.faulty.CreateReturnsNull;
                    provides dev.loopwire.loop.spi.EventLoopProvider with com.example.faulty.ProbeThrows;
                }"""),
            Map.entry("com.example.faulty/com/example/faulty/Ping.java", """
                package com.example.faulty;
                public interface Ping { String who(); }"""),
            Map.entry("com.example.faulty/com/example/faulty/Keys.java", """
                package com.example.faulty;
                import dev.loopwire.loop.TransportKey;
                public final class Keys {
                    public static final TransportKey<Ping> PING = TransportKey.of("com.example.faulty.ping", Ping.class);
                }"""),
            Map.entry("com.example.faulty/com/example/faulty/Base.java", """
                package com.example.faulty;
                import dev.loopwire.loop.*;
                import dev.loopwire.transport.spi.TransportProvider;
                import java.util.Set;
                abstract class Base implements TransportProvider<Ping> {
                    public TransportKey<Ping> key() { return Keys.PING; }
                    public Set<Class<? extends Capability>> requires() { return Set.of(); }
                }"""),
            Map.entry("com.example.faulty/com/example/faulty/Good.java", """
                package com.example.faulty;
                public final class Good extends Base {
                    public Ping create(dev.loopwire.loop.EventLoop loop) { return () -> "good"; }
                }"""),
            Map.entry("com.example.faulty/com/example/faulty/ThrowsInConstructor.java", """
                package com.example.faulty;
                public final class ThrowsInConstructor extends Base {
                    public ThrowsInConstructor() { throw new IllegalStateException("constructor boom"); }
                    public Ping create(dev.loopwire.loop.EventLoop loop) { return () -> "never"; }
                }"""),
            Map.entry("com.example.faulty/com/example/faulty/MissingDependency.java", """
                package com.example.faulty;
                public final class MissingDependency extends com.example.dep.Base
                        implements dev.loopwire.transport.spi.TransportProvider<Ping> {
                    public dev.loopwire.loop.TransportKey<Ping> key() { return Keys.PING; }
                    public java.util.Set<Class<? extends dev.loopwire.loop.Capability>> requires() { return java.util.Set.of(); }
                    public Ping create(dev.loopwire.loop.EventLoop loop) { return () -> "never"; }
                }"""),
            Map.entry("com.example.faulty/com/example/faulty/CreateThrows.java", """
                package com.example.faulty;
                public final class CreateThrows extends Base {
                    public int priority() { return 10; }
                    public Ping create(dev.loopwire.loop.EventLoop loop) { throw new IllegalStateException("create boom"); }
                }"""),
            Map.entry("com.example.faulty/com/example/faulty/CreateReturnsNull.java", """
                package com.example.faulty;
                public final class CreateReturnsNull extends Base {
                    public int priority() { return 5; }
                    public Ping create(dev.loopwire.loop.EventLoop loop) { return null; }
                }"""),
            Map.entry("com.example.faulty/com/example/faulty/ProbeThrows.java", """
                package com.example.faulty;
                import dev.loopwire.loop.*;
                import java.util.Set;
                public final class ProbeThrows implements dev.loopwire.loop.spi.EventLoopProvider {
                    public String name() { return "probe-throws"; }
                    public Availability availability() { throw new UnsupportedOperationException("probe boom"); }
                    public Set<Class<? extends Capability>> capabilities() { return Set.of(); }
                    public EventLoop open(java.util.concurrent.ThreadFactory threads) { throw new AssertionError(); }
                }"""));

    @TempDir
    static Path dir;

    private static ModuleLayer layer;

    @BeforeAll
    static void buildAndLoadThePlugin() throws Exception {
        Path plugins = ModuleBuilder.build(dir, SOURCES, "com.example.faulty");
        Plugins.Report report = Plugins.load(plugins);
        assertThat(report.failures().toString(), report.modules(), is(List.of("com.example.faulty")));
        layer = report.layer().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static TransportKey<Object> ping() throws Exception {
        Class<?> keys = layer.findLoader("com.example.faulty").loadClass("com.example.faulty.Keys");
        return (TransportKey<Object>) keys.getField("PING").get(null);
    }

    @Test
    void everyFailureIsReportedWithItsCause() {
        List<ProviderInfo> infos = Transports.providers();
        ProviderInfo ctor = find(infos, "com.example.faulty.ThrowsInConstructor").orElseThrow();
        assertThat(ctor.failure().isPresent(), is(true));
        assertThat(String.valueOf(ctor.failure().get().getCause()), is("java.lang.IllegalStateException: constructor boom"));
        ProviderInfo missing = find(infos, "com.example.faulty.MissingDependency").orElseThrow();
        assertThat(missing.availability().reason(), containsString("Unable to load com.example.faulty.MissingDependency;"
                + " caused by java.lang.NoClassDefFoundError: com/example/dep/Base"));
        assertThat(find(infos, "com.example.faulty.Good").orElseThrow().failure().isPresent(), is(false));
    }

    @Test
    void resolutionFallsThroughCreateFailuresToTheNextCandidate() throws Exception {
        var loop = new Fakes.FakeLoop("faults-1");
        Object impl = Transports.resolve(loop, ping());
        Class<?> pingType = layer.findLoader("com.example.faulty").loadClass("com.example.faulty.Ping");
        assertThat(pingType.getMethod("who").invoke(impl), is("good"));
        Explanation report = Transports.explain(loop, ping());
        assertThat(report.chosen().orElseThrow().name(), is("Good"));
        String table = report.toString();
        assertThat(table, containsString("create threw java.lang.IllegalStateException: create boom"));
        assertThat(table, containsString("create returned null"));
        assertThat(table, containsString("failed to load"));
        assertThat(table, containsString("com.example.faulty.Good: com.example.faulty (com.example.faulty.jar)"));
    }

    @Test
    void otherKeysAreUnaffected() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedTransportException.class,
                () -> Transports.resolve(new Fakes.FakeLoop("faults-2"), Fakes.ECHO));
        assertThat(e.getMessage(), containsString("ThrowsInConstructor (failed to load"));
        assertThat(e.explanation().candidates().stream().map(c -> c.verdict()).toList(),
                hasItem(Explanation.Verdict.PASSED_OVER));
    }

    @Test
    void aLoopProviderWhoseProbeThrowsIsListedAsUnavailable() {
        EventLoopProvider probe = EventLoops.providers().stream()
                .filter(p -> p.name().equals("probe-throws")).findFirst().orElseThrow();
        assertThat(EventLoops.availability(probe).reason(),
                is("availability probe threw java.lang.UnsupportedOperationException: probe boom"));
    }

    private static Optional<ProviderInfo> find(List<ProviderInfo> infos, String className) {
        return infos.stream().filter(i -> i.className().equals(className)).findFirst();
    }
}
