// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static dev.loopwire.transport.Fakes.ECHO;
import static dev.loopwire.transport.Fakes.echo;
import static dev.loopwire.transport.Fakes.entries;
import static dev.loopwire.transport.Fakes.registry;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.transport.Fakes.Alpha;
import dev.loopwire.transport.Fakes.Beta;
import dev.loopwire.transport.Fakes.FakeLoop;
import dev.loopwire.transport.Fakes.NativeProvider;
import dev.loopwire.transport.Fakes.ProviderA;
import dev.loopwire.transport.Fakes.ProviderB;
import dev.loopwire.transport.Fakes.SubLoop;
import dev.loopwire.transport.Fakes.SubSubLoop;
import dev.loopwire.transport.Fakes.Unavailable;
import dev.loopwire.transport.internal.Registry;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each step of the double dispatch wins over the later ones, and ranking is predictable. */
class DispatchOrderTest {

    private static String who(Registry registry, FakeLoop loop) {
        return registry.resolve(loop, ECHO).who();
    }

    @Test
    void theLoopsOwnImplementationWinsOverEverything() {
        Registry registry = registry(entries(new ProviderA(Set.of(), 100), new NativeProvider()), Map.of());
        SubLoop loop = new SubLoop("sub-1", Alpha.class);
        loop.own(ECHO, echo("own"));
        registry.register(loop, ECHO, echo("instance"));
        registry.register(SubLoop.class, ECHO, l -> echo("class"));
        assertThat(who(registry, loop), is("own"));
    }

    @Test
    void instanceRegistrationBeatsClassRegistrationBeatsProviders() {
        Registry registry = registry(entries(new ProviderA(Set.of(), 100)), Map.of());
        FakeLoop loop = new FakeLoop("fake-1");
        assertThat(who(registry, loop), is("A"));
        Registration byClass = registry.register(FakeLoop.class, ECHO, l -> echo("class"));
        assertThat(who(registry, loop), is("class"));
        Registration byInstance = registry.register(loop, ECHO, echo("instance"));
        assertThat(who(registry, loop), is("instance"));
        byInstance.close();
        assertThat(who(registry, loop), is("class"));
        byClass.close();
        assertThat(who(registry, loop), is("A"));
    }

    @Test
    void instanceRegistrationAppliesToThatLoopOnly() {
        Registry registry = registry(entries(new ProviderA(Set.of(), 0)), Map.of());
        FakeLoop one = new FakeLoop("one");
        FakeLoop two = new FakeLoop("two");
        registry.register(one, ECHO, echo("instance"));
        assertThat(who(registry, one), is("instance"));
        assertThat(who(registry, two), is("A"));
    }

    @Test
    void supertypeRegistrationsApplyToSubclassesMostSpecificFirst() {
        Registry registry = registry(entries(), Map.of());
        registry.register(FakeLoop.class, ECHO, l -> echo("FakeLoop"));
        registry.register(dev.loopwire.loop.EventLoop.class, ECHO, l -> echo("EventLoop"));
        assertThat(who(registry, new SubSubLoop("subsub")), is("FakeLoop"));
        registry.register(SubLoop.class, ECHO, l -> echo("SubLoop"));
        assertThat(who(registry, new SubSubLoop("subsub")), is("SubLoop"));
        assertThat(who(registry, new FakeLoop("plain")), is("FakeLoop"));
    }

    @Test
    void classRegistrationBeatsAProviderNativeToTheLoop() {
        Registry registry = registry(entries(new NativeProvider()), Map.of());
        SubLoop loop = new SubLoop("sub");
        assertThat(who(registry, loop), is("native"));
        registry.register(SubLoop.class, ECHO, l -> echo("class"));
        assertThat(who(registry, loop), is("class"));
    }

    @Test
    void aNativeProviderBeatsHigherRankedCapabilityProvidersButOnlyOnItsLoopType() {
        Registry registry = registry(entries(new ProviderA(Set.of(), 100), new NativeProvider()), Map.of());
        assertThat(who(registry, new SubSubLoop("subsub")), is("native"));
        assertThat(who(registry, new FakeLoop("plain")), is("A"));
    }

    @Test
    void rankingTiesAreBrokenByClassNameNotByDiscoveryOrder() {
        FakeLoop loop = new FakeLoop("fake", Alpha.class);
        Registry ab = registry(entries(new ProviderA(Set.of(Alpha.class), 0), new ProviderB(Set.of(Alpha.class), 0)), Map.of());
        Registry ba = registry(entries(new ProviderB(Set.of(Alpha.class), 0), new ProviderA(Set.of(Alpha.class), 0)), Map.of());
        assertThat(who(ab, loop), is("A"));
        assertThat(who(ba, loop), is("A"));
    }

    @Test
    void priorityComesFirstThenTheNumberOfRequiredCapabilities() {
        FakeLoop loop = new FakeLoop("fake", Alpha.class, Beta.class);
        assertThat(who(registry(entries(new ProviderA(Set.of(), 0), new ProviderB(Set.of(), 1)), Map.of()), loop), is("B"));
        assertThat(who(registry(entries(new ProviderA(Set.of(Alpha.class), 0),
                new ProviderB(Set.of(Alpha.class, Beta.class), 0)), Map.of()), loop), is("B"));
        assertThat(who(registry(entries(new ProviderA(Set.of(Alpha.class), 1),
                new ProviderB(Set.of(Alpha.class, Beta.class), 0)), Map.of()), loop), is("A"));
    }

    @Test
    void aProviderRequiringAMissingCapabilityIsNeverChosen() {
        Registry registry = registry(entries(new ProviderA(Set.of(Alpha.class), 1000), new ProviderB(Set.of(), -1000)), Map.of());
        assertThat(who(registry, new FakeLoop("beta-only", Beta.class)), is("B"));
        Registry alone = registry(entries(new ProviderA(Set.of(Alpha.class), 1000)), Map.of());
        assertThrows(UnsupportedTransportException.class, () -> alone.resolve(new FakeLoop("beta-only", Beta.class), ECHO));
    }

    @Test
    void anUnavailableProviderIsPassedOverWhateverItsPriority() {
        Registry registry = registry(entries(new Unavailable(), new ProviderA(Set.of(), 0)), Map.of());
        assertThat(who(registry, new FakeLoop("fake")), is("A"));
    }
}
