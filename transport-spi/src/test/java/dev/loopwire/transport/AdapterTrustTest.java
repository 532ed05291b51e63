// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static dev.loopwire.transport.Fakes.ECHO;
import static dev.loopwire.transport.Fakes.entries;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Plugins;
import dev.loopwire.transport.Explanation.Candidate;
import dev.loopwire.transport.Explanation.Verdict;
import dev.loopwire.transport.Fakes.FakeLoop;
import dev.loopwire.transport.Fakes.ProviderA;
import dev.loopwire.transport.internal.Discovery;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.internal.SelectorThreadAdapter;
import dev.loopwire.transport.spi.CapabilityAdapter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capability adapters get the same trust rule as providers. A real module compiled here and
 * loaded from a plugin folder provides an adapter that offers {@link FdReadiness}, requires
 * nothing, and whose class name sorts before loopwire's {@code SelectorThreadAdapter}: it is
 * refused as foreign (it does not own {@code FdReadiness}), loopwire's own adapter is used, and
 * {@code explain} lists both with why.
 */
class AdapterTrustTest {

    static final String EVIL = "com.example.evil.AaaReadiness";

    private static final Map<String, String> SOURCES = Map.of(
            "com.example.evil/module-info.java", """
                module com.example.evil {
                    requires dev.loopwire.transport;
                    provides dev.loopwire.transport.spi.CapabilityAdapter with com.example.evil.AaaReadiness;
                }""",
            "com.example.evil/com/example/evil/AaaReadiness.java", """
                package com.example.evil;
                import dev.loopwire.loop.*;
                import java.util.Set;
                public final class AaaReadiness implements dev.loopwire.transport.spi.CapabilityAdapter<FdReadiness> {
                    public Class<FdReadiness> offers() { return FdReadiness.class; }
                    public Set<Class<? extends Capability>> requires() { return Set.of(); }
                    public FdReadiness adapt(EventLoop loop) { throw new IllegalStateException("hijacked"); }
                }""");

    static final String VOUCHED = "com.example.vouch.AaaVouched";

    /** A module with its own kind of loop and an adapter for it. */
    private static final Map<String, String> VOUCH_SOURCES = Map.of(
            "com.example.vouch/module-info.java", """
                module com.example.vouch {
                    requires dev.loopwire.transport;
                    exports com.example.vouch;
                    provides dev.loopwire.transport.spi.CapabilityAdapter with com.example.vouch.AaaVouched;
                }""",
            "com.example.vouch/com/example/vouch/AaaVouched.java", """
                package com.example.vouch;
                import dev.loopwire.loop.*;
                import java.util.Set;
                public final class AaaVouched implements dev.loopwire.transport.spi.CapabilityAdapter<FdReadiness> {
                    public Class<FdReadiness> offers() { return FdReadiness.class; }
                    public Set<Class<? extends Capability>> requires() { return Set.of(); }
                    public FdReadiness adapt(EventLoop loop) { throw new IllegalStateException("not in explain"); }
                }""",
            "com.example.vouch/com/example/vouch/VouchLoop.java", """
                package com.example.vouch;
                import dev.loopwire.loop.*;
                import java.util.Optional;
                import java.util.Set;
                public final class VouchLoop implements EventLoop {
                    public String name() { return "vouch-1"; }
                    public Set<Class<? extends Capability>> capabilities() { return Set.of(UringPort.class); }
                    public <C extends Capability> Optional<C> capability(Class<C> type) { return Optional.empty(); }
                    public boolean inLoop() { return false; }
                    public boolean isClosed() { return false; }
                    public void execute(Runnable task) { throw new java.util.concurrent.RejectedExecutionException("test loop"); }
                    public CloseHook addCloseHook(Runnable hook) { throw new java.util.concurrent.RejectedExecutionException("test loop"); }
                    public void close() { }
                }""");

    @TempDir
    static Path dir;

    private static ModuleLayer layer;
    private static ModuleLayer vouchLayer;

    @BeforeAll
    static void buildTheEvilModule() throws Exception {
        Plugins.Report report = Plugins.load(ModuleBuilder.build(dir, SOURCES, "com.example.evil"));
        assertThat(report.failures().toString(), report.modules(), is(List.of("com.example.evil")));
        layer = report.layer().orElseThrow();
        Plugins.Report vouch = Plugins.load(ModuleBuilder.build(dir.resolve("vouch"), VOUCH_SOURCES, "com.example.vouch"));
        assertThat(vouch.failures().toString(), vouch.modules(), is(List.of("com.example.vouch")));
        vouchLayer = vouch.layer().orElseThrow();
    }

    /** A registry with one provider of our own key that needs FdReadiness, and the adapters of the layer. */
    private static Registry registry(Map<String, String> properties) {
        return new Registry(() -> entries(new ProviderA(Set.of(FdReadiness.class), 0)),
                AdapterTrustTest::layerAdapters, properties::get);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<ProviderEntry<CapabilityAdapter<?>>> vouchAdapters() {
        return Discovery.load(List.of((ServiceLoader) ServiceLoader.load(vouchLayer, CapabilityAdapter.class)));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<ProviderEntry<CapabilityAdapter<?>>> layerAdapters() {
        return Discovery.load(List.of((ServiceLoader) ServiceLoader.load(layer, CapabilityAdapter.class)));
    }

    /** {@code text} padded to the width of the widest cell of its column, plus the two-space gap. */
    private static String pad(String text, String widest) {
        return text + " ".repeat(widest.length() - text.length() + 2);
    }

    private static Candidate adapter(Explanation report, String className) {
        return report.adapters().stream().filter(a -> a.className().equals(className)).findFirst()
                .orElseThrow(() -> new AssertionError(className + " not listed:\n" + report));
    }

    @Test
    void aForeignAdapterWhoseNameSortsFirstIsRefusedAndLoopwiresOwnIsUsed() {
        FakeLoop loop = new FakeLoop("completion-1", UringPort.class);
        Explanation report = registry(Map.of()).explain(loop, ECHO);
        assertThat(report.toString(), report.chosen().orElseThrow().reason(), is("through SelectorThreadAdapter for FdReadiness"));
        Candidate evil = adapter(report, EVIL);
        assertThat(evil.verdict(), is(Verdict.PASSED_OVER));
        assertThat(evil.reason(), is("foreign: com.example.evil does not own FdReadiness (owner: dev.loopwire.loop);"
                + " allow it with -Dloopwire.allow=" + EVIL));
        Candidate own = adapter(report, SelectorThreadAdapter.class.getName());
        assertThat(own.verdict(), is(Verdict.CHOSEN));
        assertThat(own.reason(), is("builds FdReadiness"));
        String version = getClass().getModule().getDescriptor().rawVersion().orElseThrow();
        String ownOrigin = "dev.loopwire.transport@" + version + " (classes)"; // the widest origin
        assertThat(report.toString(), is(
                "Transport 'dev.loopwire.transport.test.echo' on loop 'completion-1' (capabilities: UringPort)\n"
                + "  #  verdict  candidate  source              requires     prio  reason\n"
                + "  1  chosen   ProviderA  provider + adapter  FdReadiness  0     through SelectorThreadAdapter for FdReadiness\n"
                + "  origins:\n"
                + "    1 dev.loopwire.transport.Fakes$ProviderA: dev.loopwire.transport@" + version + " (test-classes)\n"
                + "  adapters considered:\n"
                + "  adapter                verdict      requires   " + pad("origin", ownOrigin) + "reason\n"
                + "  AaaReadiness           passed over  none       " + pad("com.example.evil (com.example.evil.jar)", ownOrigin)
                + "foreign: com.example.evil does not own FdReadiness (owner: dev.loopwire.loop);"
                + " allow it with -Dloopwire.allow=" + EVIL + "\n"
                + "  SelectorThreadAdapter  chosen       UringPort  " + pad(ownOrigin, ownOrigin) + "builds FdReadiness\n"));
    }

    @Test
    void aForeignAdapterAllowedByTheUserIsTrusted() {
        FakeLoop loop = new FakeLoop("completion-2", UringPort.class);
        Explanation byProperty = registry(Map.of("loopwire.allow", EVIL)).explain(loop, ECHO);
        assertThat(byProperty.chosen().orElseThrow().reason(), is("through AaaReadiness for FdReadiness"));
        Registry registry = registry(Map.of());
        registry.allow(EVIL);
        Explanation report = registry.explain(loop, ECHO);
        assertThat(report.chosen().orElseThrow().reason(), is("through AaaReadiness for FdReadiness"));
        assertThat(adapter(report, SelectorThreadAdapter.class.getName()).reason(),
                is("another adapter for FdReadiness sorts first: AaaReadiness"));
        // Allowed, its adapt runs and fails like a create that throws: nothing else is used silently.
        var e = assertThrows(UnsupportedTransportException.class, () -> registry.resolve(loop, ECHO));
        assertThat(e.getMessage(), containsString("ProviderA (create threw java.lang.IllegalStateException: hijacked)"));
    }

    @Test
    void aFailedResolutionListsEveryAdapterAndWhyItWasPassedOver() {
        FakeLoop loop = new FakeLoop("completion-3", UringPort.class);
        Map<String, String> properties = new HashMap<>();
        properties.put("loopwire.disable", SelectorThreadAdapter.class.getName());
        var e = assertThrows(UnsupportedTransportException.class, () -> registry(properties).resolve(loop, ECHO));
        assertThat(adapter(e.explanation(), SelectorThreadAdapter.class.getName()).reason(), is("disabled by -Dloopwire.disable"));
        assertThat(e.getMessage(), containsString("; adapters passed over: AaaReadiness (foreign: com.example.evil does not own"
                + " FdReadiness (owner: dev.loopwire.loop); allow it with -Dloopwire.allow=" + EVIL
                + "), SelectorThreadAdapter (disabled by -Dloopwire.disable)"));
    }

    @Test
    void aLoopVouchesForAnAdapterOfItsOwnModuleOnItsOwnLoopsOnly() throws Exception {
        Registry registry = new Registry(() -> entries(new ProviderA(Set.of(FdReadiness.class), 0)),
                AdapterTrustTest::vouchAdapters, Map.<String, String>of()::get);
        dev.loopwire.loop.EventLoop own = (dev.loopwire.loop.EventLoop) vouchLayer.findLoader("com.example.vouch")
                .loadClass("com.example.vouch.VouchLoop").getConstructor().newInstance();
        Explanation onOwn = registry.explain(own, ECHO);
        assertThat(onOwn.toString(), onOwn.chosen().orElseThrow().reason(), is("through AaaVouched for FdReadiness"));
        Explanation elsewhere = registry.explain(new FakeLoop("completion-4", UringPort.class), ECHO);
        assertThat(elsewhere.chosen().orElseThrow().reason(), is("through SelectorThreadAdapter for FdReadiness"));
        assertThat(adapter(elsewhere, VOUCHED).reason(), is("foreign: com.example.vouch does not own FdReadiness"
                + " (owner: dev.loopwire.loop); allow it with -Dloopwire.allow=" + VOUCHED));
    }

    @Test
    void anAdapterWhoseOwnRequirementsAreMissingIsListedWithoutAnAllowSuggestion() {
        FakeLoop loop = new FakeLoop("plain-1");
        List<ProviderEntry<CapabilityAdapter<?>>> adapters = List.of(ProviderEntry.loaded(new SelectorThreadAdapter()));
        Registry registry = Fakes.registry(entries(new ProviderA(Set.of(FdReadiness.class), 0)), adapters, Map.of());
        Explanation report = registry.explain(loop, ECHO);
        assertThat(adapter(report, SelectorThreadAdapter.class.getName()).reason(),
                is("requires UringPort, which the loop lacks"));
    }
}
