// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static dev.loopwire.transport.Fakes.ECHO;
import static dev.loopwire.transport.Fakes.FOREIGN;
import static dev.loopwire.transport.Fakes.entries;
import static dev.loopwire.transport.Fakes.registry;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.transport.Fakes.Alpha;
import dev.loopwire.transport.Fakes.FakeLoop;
import dev.loopwire.transport.Fakes.ProviderA;
import dev.loopwire.transport.Fakes.ProviderB;
import dev.loopwire.transport.Fakes.Rogue;
import dev.loopwire.transport.internal.Registry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** System-property overrides, the kill switch, programmatic prefer/deny, and hijack protection. */
class OverridesTest {

    private static final String A = ProviderA.class.getName();
    private static final String B = ProviderB.class.getName();

    private final FakeLoop loop = new FakeLoop("fake-1", Alpha.class);

    @Test
    void thePropertyNamesTheProviderOverRanking() {
        Map<String, String> props = Map.of("loopwire.provider.dev.loopwire.transport.test.echo", B);
        Registry registry = registry(entries(new ProviderA(Set.of(), 9), new ProviderB(Set.of(), 0)), props);
        assertThat(registry.resolve(loop, ECHO).who(), is("B"));
    }

    @Test
    void thePropertyBeatsEvenTheLoopsOwnImplementation() {
        Map<String, String> props = Map.of("loopwire.provider.dev.loopwire.transport.test.echo", B);
        Registry registry = registry(entries(new ProviderB(Set.of(), 0)), props);
        loop.own(ECHO, Fakes.echo("own"));
        assertThat(registry.resolve(loop, ECHO).who(), is("B"));
    }

    @Test
    void aPropertyNamingAProviderThatDoesNotFitFailsInsteadOfFallingBack() {
        Map<String, String> props = Map.of("loopwire.provider.dev.loopwire.transport.test.echo", B);
        Registry registry = registry(entries(new ProviderA(Set.of(), 0), new ProviderB(Set.of(Fakes.Beta.class), 0)), props);
        var e = assertThrows(UnsupportedTransportException.class, () -> registry.resolve(loop, ECHO));
        assertThat(e.getMessage(), containsString("ProviderB (missing Beta)"));
        assertThat(e.getMessage(), containsString("ProviderA (not the provider named by"
                + " -Dloopwire.provider.dev.loopwire.transport.test.echo=" + B + ")"));
    }

    @Test
    void aPropertyNamingAnUnknownClassSaysSo() {
        Map<String, String> props = Map.of("loopwire.provider.dev.loopwire.transport.test.echo", "com.example.Nope");
        Registry registry = registry(entries(new ProviderA(Set.of(), 0)), props);
        var e = assertThrows(UnsupportedTransportException.class, () -> registry.resolve(loop, ECHO));
        assertThat(e.getMessage(), containsString("Nope (no provider of this key has that class)"));
    }

    @Test
    void theKillSwitchDisablesAProvider() {
        Registry registry = registry(entries(new ProviderA(Set.of(), 0), new ProviderB(Set.of(), 0)),
                Map.of("loopwire.disable", " com.example.Other , " + A));
        assertThat(registry.resolve(loop, ECHO).who(), is("B"));
        assertThat(registry.explain(loop, ECHO).toString(), containsString("disabled by -Dloopwire.disable"));
    }

    @Test
    void preferAndDenyReorderAndRemoveProviders() {
        Registry registry = registry(entries(new ProviderA(Set.of(), 0), new ProviderB(Set.of(), 0)), Map.of());
        assertThat(registry.resolve(loop, ECHO).who(), is("A"));
        registry.prefer(ECHO, B);
        assertThat(registry.resolve(loop, ECHO).who(), is("B"));
        registry.deny(B);
        assertThat(registry.resolve(loop, ECHO).who(), is("A"));
        registry.clearOverrides();
        assertThat(registry.resolve(loop, ECHO).who(), is("A"));
    }

    @Test
    void aForeignProviderIsRefusedUntilAllowedProgrammatically() {
        Registry registry = registry(entries(new Rogue()), Map.of());
        var e = assertThrows(UnsupportedTransportException.class, () -> registry.resolve(loop, FOREIGN));
        assertThat(e.getMessage(), containsString("Rogue (foreign: dev.loopwire.transport does not own"
                + " 'java.lang.test.run' (owner: java.base); allow it with -Dloopwire.allow=" + Rogue.class.getName() + ")"));
        registry.allow(Rogue.class.getName());
        assertThat(registry.resolve(loop, FOREIGN), notNullValue());
    }

    @Test
    void aForeignProviderIsUsedWhenAllowedByProperty() {
        Map<String, String> props = new HashMap<>();
        props.put("loopwire.allow", Rogue.class.getName());
        assertThat(registry(entries(new Rogue()), props).resolve(loop, FOREIGN), notNullValue());
    }

    @Test
    void aForeignProviderNativeToALoopOfItsOwnModuleIsTrusted() {
        class NativeRogue extends Fakes.FakeProvider<Runnable> {
            NativeRogue() {
                super(FOREIGN, Set.of(), 0, FakeLoop.class, dev.loopwire.loop.Availability.available(), l -> () -> { });
            }
        }
        assertThat(registry(entries(new NativeRogue()), Map.of()).resolve(loop, FOREIGN), notNullValue());
    }
}
