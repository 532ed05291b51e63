// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.FuzzFixtures.AdapterSpec;
import dev.loopwire.transport.FuzzFixtures.BaseLoop;
import dev.loopwire.transport.FuzzFixtures.Cap0;
import dev.loopwire.transport.FuzzFixtures.Cap1;
import dev.loopwire.transport.FuzzFixtures.Outcome;
import dev.loopwire.transport.FuzzFixtures.ProviderSpec;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code prefer} orders providers within one step of the resolution order and never lifts one
 * above an earlier step (docs/decisions.md, "Ranking"); the property override does.
 */
class PreferScopeTest {

    private static final String P01 = FuzzFixtures.PROVIDER_NAMES.get(1);
    private final BaseLoop loop = new BaseLoop("prefer-1", Set.of(Cap0.class), Map.of());

    private static ProviderSpec spec(Set<Class<? extends Capability>> requires, Class<? extends EventLoop> loopType) {
        return new ProviderSpec(FuzzFixtures.OWNED, requires, 0, loopType, true, Outcome.OK);
    }

    private static Registry registry(TransportProvider<?> first, TransportProvider<?> second,
            Map<String, String> properties) {
        List<ProviderEntry<TransportProvider<?>>> providers = List.of(ProviderEntry.loaded(first),
                ProviderEntry.loaded(second));
        Set<Class<? extends Capability>> needsCap0 = Set.of(Cap0.class);
        List<ProviderEntry<CapabilityAdapter<?>>> adapters = List.of(
                ProviderEntry.loaded(new FuzzFixtures.A0(new AdapterSpec(Cap1.class, needsCap0, true, Outcome.OK))));
        return new Registry(() -> providers, () -> adapters, properties::get);
    }

    @Test
    void aPreferredCapabilityProviderDoesNotBeatALoopNativeOne() {
        Registry registry = registry(new FuzzFixtures.P00(spec(Set.of(), BaseLoop.class)),
                new FuzzFixtures.P01(spec(Set.of(), null)), Map.of());
        registry.prefer(FuzzFixtures.OWNED, P01);
        assertThat(registry.resolve(loop, FuzzFixtures.OWNED).label(), is("P00"));
    }

    @Test
    void aPreferredProviderThatNeedsAnAdapterDoesNotBeatOneThatFitsDirectly() {
        Registry registry = registry(new FuzzFixtures.P00(spec(Set.of(Cap0.class), null)),
                new FuzzFixtures.P01(spec(Set.of(Cap1.class), null)), Map.of());
        registry.prefer(FuzzFixtures.OWNED, P01);
        assertThat(registry.resolve(loop, FuzzFixtures.OWNED).label(), is("P00"));
    }

    @Test
    void thePropertyOverrideUsesAProviderThatFitsOnlyThroughAnAdapter() {
        Registry registry = registry(new FuzzFixtures.P00(spec(Set.of(Cap0.class), null)),
                new FuzzFixtures.P01(spec(Set.of(Cap1.class), null)),
                Map.of("loopwire.provider." + FuzzFixtures.OWNED.name(), P01));
        assertThat(registry.resolve(loop, FuzzFixtures.OWNED).label(), is("P01"));
        assertThat(registry.explain(loop, FuzzFixtures.OWNED).chosen().orElseThrow().reason(), is("through A0 for Cap1"));
    }
}
