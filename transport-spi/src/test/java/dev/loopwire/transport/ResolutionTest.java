// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static dev.loopwire.transport.Fakes.ECHO;
import static dev.loopwire.transport.Fakes.echo;
import static dev.loopwire.transport.Fakes.entries;
import static dev.loopwire.transport.Fakes.registry;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.Fakes.Alpha;
import dev.loopwire.transport.Fakes.Beta;
import dev.loopwire.transport.Fakes.BetaFromAlpha;
import dev.loopwire.transport.Fakes.Echo;
import dev.loopwire.transport.Fakes.FakeLoop;
import dev.loopwire.transport.Fakes.FakeProvider;
import dev.loopwire.transport.Fakes.ProviderA;
import dev.loopwire.transport.Fakes.ProviderC;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.CapabilityAdapter;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Caching, failure isolation, replaced keys, adapters and argument checks. */
class ResolutionTest {

    private final FakeLoop loop = new FakeLoop("fake-1", Alpha.class);

    @Test
    void aCachedResolutionReturnsTheSameImplementationWithoutCreatingAgain() {
        ProviderA a = new ProviderA(Set.of(), 0);
        Registry registry = registry(entries(a), Map.of());
        Echo first = registry.resolve(loop, ECHO);
        assertThat(registry.resolve(loop, ECHO), sameInstance(first));
        assertThat(a.created.get(), is(1));
    }

    @Test
    void aRegistrationInvalidatesTheCache() {
        ProviderA a = new ProviderA(Set.of(), 0);
        Registry registry = registry(entries(a), Map.of());
        registry.resolve(loop, ECHO);
        Registration r = registry.register(new FakeLoop("other"), ECHO, echo("other"));
        registry.resolve(loop, ECHO);
        assertThat(a.created.get(), is(2));
        r.close();
        r.close();
        registry.resolve(loop, ECHO);
        assertThat(a.created.get(), is(3));
    }

    @Test
    void aProviderThatFailedToLoadIsReportedAndBreaksNothing() {
        List<ProviderEntry<TransportProvider<?>>> all = new ArrayList<>(entries(new ProviderA(Set.of(), 0)));
        all.add(ProviderEntry.failed(null, "com.example.Broken",
                new java.util.ServiceConfigurationError("Provider com.example.Broken could not be instantiated",
                        new IllegalStateException("boom in constructor"))));
        Registry registry = registry(all, Map.of());
        assertThat(registry.resolve(loop, ECHO).who(), is("A"));
        assertThat(registry.explain(loop, ECHO).toString(),
                containsString("failed to load: java.util.ServiceConfigurationError: Provider com.example.Broken could not be instantiated"));
        assertThat(registry.providers().get(1).availability().isAvailable(), is(false));
        assertThat(registry.providers().get(1).className(), is("com.example.Broken"));
    }

    @Test
    void whenCreateThrowsTheNextCandidateIsUsedAndIfNoneFitsTheFailureIsSuppressed() {
        IllegalStateException boom = new IllegalStateException("boom");
        Registry registry = registry(entries(new ProviderC(Set.of(), 0, l -> {
            throw boom;
        })), Map.of());
        var e = assertThrows(UnsupportedTransportException.class, () -> registry.resolve(loop, ECHO));
        assertThat(e.getSuppressed()[0], sameInstance(boom));
        assertThat(e.getMessage(), containsString("ProviderC (create threw java.lang.IllegalStateException: boom)"));
    }

    @Test
    void aProviderReturningNullIsPassedOver() {
        Registry registry = registry(entries(new ProviderC(Set.of(), 9, l -> null), new ProviderA(Set.of(), 0)), Map.of());
        assertThat(registry.resolve(loop, ECHO).who(), is("A"));
        assertThat(registry.explain(loop, ECHO).candidates().get(0).reason(), is("create returned null"));
    }

    /** A third-party key adopted later under a standard name: its providers keep resolving. */
    interface OldEcho extends Echo {
    }

    @Test
    void providersOfAReplacedNameResolveForTheNewKeyAndExplainShowsTheAlias() {
        TransportKey<OldEcho> old = TransportKey.of("dev.loopwire.transport.legacy.echo", OldEcho.class);
        TransportKey<Echo> standard = TransportKey.of("dev.loopwire.transport.std.echo", Echo.class)
                .replacing("dev.loopwire.transport.legacy.echo");
        class OldProvider extends FakeProvider<OldEcho> {
            OldProvider() {
                super(old, Set.of(), 0, null, Availability.available(), l -> () -> "old");
            }
        }
        Registry registry = registry(entries(new OldProvider()), Map.of());
        assertThat(registry.resolve(loop, standard).who(), is("old"));
        assertThat(registry.explain(loop, standard).chosen().get().reason(), is("offers every required capability"
                + " (as 'dev.loopwire.transport.legacy.echo', which this key replaces)"));
        assertThrows(UnsupportedTransportException.class,
                () -> registry.resolve(loop, TransportKey.of("dev.loopwire.transport.std.echo", Echo.class)));
    }

    @Test
    void anAdapterLetsAProviderRunOnALoopLackingItsCapabilityAndExplainSaysSo() {
        BetaFromAlpha adapter = new BetaFromAlpha();
        List<ProviderEntry<CapabilityAdapter<?>>> adapters = List.of(ProviderEntry.loaded(adapter));
        Registry registry = registry(entries(new ProviderC(Set.of(Beta.class), 0,
                l -> echo(l.capability(Beta.class).orElseThrow().toString()))), adapters, Map.of());
        assertThat(registry.resolve(loop, ECHO).who(), is("adapted Beta on fake-1"));
        Explanation report = registry.explain(loop, ECHO);
        assertThat(report.chosen().get().source(), is(Explanation.Source.ADAPTED_PROVIDER));
        assertThat(report.chosen().get().reason(), is("through BetaFromAlpha for Beta"));
        registry.resolve(new FakeLoop("fake-2", Alpha.class), ECHO);
        assertThat(adapter.adapted.get(), is(2));
        assertThrows(UnsupportedTransportException.class, () -> registry.resolve(new FakeLoop("bare"), ECHO));
    }

    @Test
    void aProviderIsPreferredToAnAdaptedOne() {
        List<ProviderEntry<CapabilityAdapter<?>>> adapters = List.of(ProviderEntry.loaded(new BetaFromAlpha()));
        Registry registry = registry(entries(new ProviderC(Set.of(Beta.class), 100, l -> echo("adapted")),
                new ProviderA(Set.of(Alpha.class), 0)), adapters, Map.of());
        assertThat(registry.resolve(loop, ECHO).who(), is("A"));
    }

    @Test
    void nullArgumentsAreRejectedNamingTheParameter() {
        Registry registry = registry(entries(), Map.of());
        assertThat(assertThrows(NullPointerException.class, () -> registry.resolve(null, ECHO)).getMessage(), is("loop"));
        assertThat(assertThrows(NullPointerException.class, () -> registry.resolve(loop, null)).getMessage(), is("key"));
        assertThat(assertThrows(NullPointerException.class, () -> registry.explain(null, ECHO)).getMessage(), is("loop"));
        assertThat(assertThrows(NullPointerException.class, () -> registry.register(loop, ECHO, null)).getMessage(), is("impl"));
        assertThat(assertThrows(NullPointerException.class,
                () -> registry.register((Class<FakeLoop>) null, ECHO, l -> echo("x"))).getMessage(), is("loopType"));
        assertThat(assertThrows(NullPointerException.class,
                () -> registry.register(FakeLoop.class, ECHO, null)).getMessage(), is("factory"));
        assertThat(assertThrows(NullPointerException.class, () -> registry.deny(null)).getMessage(), is("providerClass"));
        assertThat(assertThrows(NullPointerException.class, () -> Transports.resolve(null, ECHO)).getMessage(), is("loop"));
    }

    @Test
    void registeringAnImplementationOfTheWrongTypeIsRejected() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TransportKey<Object> raw = (TransportKey) ECHO;
        var e = assertThrows(IllegalArgumentException.class,
                () -> registry(entries(), Map.of()).register(loop, raw, "not an echo"));
        assertThat(e.getMessage(), is("Implementation java.lang.String registered for"
                + " 'dev.loopwire.transport.test.echo' is not a dev.loopwire.transport.Fakes$Echo"));
    }

    @Test
    void closedLoopsAreForgotten() {
        ProviderA a = new ProviderA(Set.of(), 0);
        Registry registry = registry(entries(a), Map.of());
        FakeLoop gone = new FakeLoop("gone");
        registry.resolve(gone, ECHO);
        gone.close();
        registry.resolve(loop, ECHO);
        registry.resolve(gone, ECHO);
        assertThat(a.created.get(), is(3));
    }
}
