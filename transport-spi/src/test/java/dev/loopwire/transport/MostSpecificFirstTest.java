// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.FuzzFixtures.BaseLoop;
import dev.loopwire.transport.FuzzFixtures.Impl;
import dev.loopwire.transport.FuzzFixtures.MidLoop;
import dev.loopwire.transport.FuzzFixtures.Outcome;
import dev.loopwire.transport.FuzzFixtures.ProviderSpec;
import dev.loopwire.transport.FuzzFixtures.RedundantLeafLoop;
import dev.loopwire.transport.FuzzFixtures.Tagged;
import dev.loopwire.transport.FuzzFixtures.TaggedLeafLoop;
import dev.loopwire.transport.FuzzFixtures.TaggedMidLoop;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * "Most specific first" for class registrations and loop-native providers holds when a loop
 * class re-declares an interface its superclass already implements, the way
 * {@code ArrayList extends AbstractList implements List} does. Found by {@link RegistryFuzzTest}.
 */
class MostSpecificFirstTest {

    private static Registry registry(List<ProviderEntry<TransportProvider<?>>> providers) {
        return new Registry(() -> providers, List::of, Map.<String, String>of()::get);
    }

    @Test
    void aRegistrationForASuperclassBeatsOneForEventLoopEvenWhenTheLoopRedeclaresEventLoop() {
        Registry registry = registry(List.of());
        registry.register(MidLoop.class, FuzzFixtures.OWNED, l -> new Impl("MidLoop"));
        registry.register(EventLoop.class, FuzzFixtures.OWNED, l -> new Impl("EventLoop"));
        BaseLoop loop = new RedundantLeafLoop("redundant", Set.of(), Map.of());
        assertThat(registry.resolve(loop, FuzzFixtures.OWNED).label(), is("MidLoop"));
    }

    @Test
    void aRegistrationForAClassBeatsOneForAnInterfaceItImplementsWhateverTheOrderOfRegistration() {
        Registry registry = registry(List.of());
        registry.register(TaggedMidLoop.class, FuzzFixtures.OWNED, l -> new Impl("TaggedMidLoop"));
        registry.register(Tagged.class, FuzzFixtures.OWNED, l -> new Impl("Tagged"));
        BaseLoop loop = new TaggedLeafLoop("tagged", Set.of(), Map.of());
        assertThat(registry.resolve(loop, FuzzFixtures.OWNED).label(), is("TaggedMidLoop"));
    }

    @Test
    void aProviderNativeToASuperclassBeatsOneNativeToEventLoop() {
        // Same rank except the name, and P00 sorts first: only specificity can pick P01.
        Registry registry = registry(List.of(
                ProviderEntry.loaded(new FuzzFixtures.P00(spec(EventLoop.class))),
                ProviderEntry.loaded(new FuzzFixtures.P01(spec(BaseLoop.class)))));
        BaseLoop loop = new RedundantLeafLoop("redundant", Set.of(), Map.of());
        assertThat(registry.resolve(loop, FuzzFixtures.OWNED).label(), is("P01"));
        assertThat(registry.explain(loop, FuzzFixtures.OWNED).chosen().orElseThrow().name(), is("P01"));
    }

    private static ProviderSpec spec(Class<? extends EventLoop> loopType) {
        return new ProviderSpec(FuzzFixtures.OWNED, Set.of(), 0, loopType, true, Outcome.OK);
    }
}
