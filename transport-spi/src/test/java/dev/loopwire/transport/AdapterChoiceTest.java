// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.Capability;
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
 * When several adapters can build the capability a provider lacks, the choice does not depend on
 * discovery (class-path) order: the adapter whose class name sorts first is used. Found by
 * {@link RegistryFuzzTest}.
 */
class AdapterChoiceTest {

    private final BaseLoop loop = new BaseLoop("adapt-1", Set.of(Cap0.class), Map.of());

    private static Registry registry(List<ProviderEntry<CapabilityAdapter<?>>> adapters) {
        ProviderSpec needsCap1 = new ProviderSpec(FuzzFixtures.OWNED, Set.of(Cap1.class), 0, null, true, Outcome.OK);
        List<ProviderEntry<TransportProvider<?>>> providers = List.of(ProviderEntry.loaded(new FuzzFixtures.P00(needsCap1)));
        return new Registry(() -> providers, () -> adapters, Map.<String, String>of()::get);
    }

    private static ProviderEntry<CapabilityAdapter<?>> a0(Outcome adapt) {
        Set<Class<? extends Capability>> requires = Set.of(Cap0.class);
        return ProviderEntry.loaded(new FuzzFixtures.A0(new AdapterSpec(Cap1.class, requires, true, adapt)));
    }

    private static ProviderEntry<CapabilityAdapter<?>> a1(Outcome adapt) {
        return ProviderEntry.loaded(new FuzzFixtures.A1(new AdapterSpec(Cap1.class, Set.of(), true, adapt)));
    }

    @Test
    void theAdapterWhoseNameSortsFirstIsUsedWhateverTheDiscoveryOrder() {
        for (Registry registry : List.of(registry(List.of(a0(Outcome.OK), a1(Outcome.OK))),
                registry(List.of(a1(Outcome.OK), a0(Outcome.OK))))) {
            assertThat(registry.explain(loop, FuzzFixtures.OWNED).chosen().orElseThrow().reason(), is("through A0 for Cap1"));
            assertThat(registry.resolve(loop, FuzzFixtures.OWNED).label(), is("P00"));
            assertThat(registry.explain(loop, FuzzFixtures.OWNED).chosen().orElseThrow().reason(), is("through A0 for Cap1"));
        }
    }

    @Test
    void aBrokenAdapterFirstOnTheClassPathIsNotTriedBeforeOneWhoseNameSortsFirst() {
        Registry registry = registry(List.of(a1(Outcome.THROW), a0(Outcome.OK)));
        assertThat(registry.resolve(loop, FuzzFixtures.OWNED).label(), is("P00"));
    }
}
