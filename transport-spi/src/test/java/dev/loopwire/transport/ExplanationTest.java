// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport;

import static dev.loopwire.transport.Fakes.ECHO;
import static dev.loopwire.transport.Fakes.FOREIGN;
import static dev.loopwire.transport.Fakes.entries;
import static dev.loopwire.transport.Fakes.registry;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.spi.EventLoopProvider;
import dev.loopwire.transport.Explanation.Candidate;
import dev.loopwire.transport.Explanation.Verdict;
import dev.loopwire.transport.Fakes.Alpha;
import dev.loopwire.transport.Fakes.Beta;
import dev.loopwire.transport.Fakes.FakeLoop;
import dev.loopwire.transport.Fakes.ProviderA;
import dev.loopwire.transport.Fakes.ProviderB;
import dev.loopwire.transport.Fakes.Gamma;
import dev.loopwire.transport.Fakes.Rogue;
import dev.loopwire.transport.Fakes.Unavailable;
import dev.loopwire.transport.internal.ProviderEntry;
import dev.loopwire.transport.internal.Registry;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The report and the exception message, asserted to the letter. */
class ExplanationTest {

    /** Kinds of loop the registry may suggest: one available with Beta, one with Beta but unavailable. */
    private static final List<EventLoopProvider> KINDS = List.of(
            new Fakes.LoopKind("alpha-loop", Availability.available(), Alpha.class),
            new Fakes.LoopKind("beta-loop", Availability.available(), Alpha.class, Beta.class),
            new Fakes.LoopKind("moon-loop", Availability.unavailable("no moon"), Beta.class));

    private static Registry withKinds(List<ProviderEntry<TransportProvider<?>>> providers, Map<String, String> properties) {
        return new Registry(() -> providers, List::of, properties::get, () -> 0, () -> KINDS);
    }

    @Test
    void theExceptionMessageSaysWhichCapabilitiesWouldFitAndWhichAvailableLoopsOfferThem() {
        Registry registry = withKinds(entries(new ProviderA(Set.of(Beta.class), 0), new Unavailable()),
                Map.of("loopwire.disable", ProviderB.class.getName()));
        FakeLoop loop = new FakeLoop("selector-1", Alpha.class);
        var e = assertThrows(UnsupportedTransportException.class, () -> registry.resolve(loop, ECHO));
        assertThat(e.getMessage(), is("No implementation of 'dev.loopwire.transport.test.echo' for loop 'selector-1'"
                + " (capabilities: Alpha); passed over: ProviderA (missing Beta), Unavailable (unavailable: needs the moon);"
                + " it would run on a loop offering Beta (ProviderA);"
                + " loops available here that offer them: 'beta-loop' (EventLoops.open(\"beta-loop\"));"
                + " or register an implementation with Transports.register"));
        assertThat(e.explanation().keyName(), is("dev.loopwire.transport.test.echo"));
        assertThat(e.explanation().chosen().isPresent(), is(false));
    }

    @Test
    void everyCandidatesRequirementsAreListedAndNoAvailableLoopIsSaidWhenNoneOffersThem() {
        Registry registry = withKinds(entries(new ProviderA(Set.of(Beta.class, Alpha.class), 0),
                new ProviderB(Set.of(Gamma.class), 0), new Fakes.ProviderC(Set.of(Gamma.class), 0, Fakes.says("C"))), Map.of());
        var e = assertThrows(UnsupportedTransportException.class, () -> registry.resolve(new FakeLoop("bare-1"), ECHO));
        assertThat(e.getMessage(), is("No implementation of 'dev.loopwire.transport.test.echo' for loop 'bare-1'"
                + " (capabilities: none); passed over: ProviderA (missing Alpha, Beta), ProviderB (missing Gamma),"
                + " ProviderC (missing Gamma);"
                + " it would run on a loop offering Alpha, Beta (ProviderA) or Gamma (ProviderB, ProviderC);"
                + " loops available here that offer them: 'beta-loop' (EventLoops.open(\"beta-loop\"));"
                + " or register an implementation with Transports.register"));
        var none = assertThrows(UnsupportedTransportException.class, () -> withKinds(
                entries(new ProviderB(Set.of(Gamma.class), 0)), Map.of()).resolve(new FakeLoop("bare-2"), ECHO));
        assertThat(none.getMessage(), is("No implementation of 'dev.loopwire.transport.test.echo' for loop 'bare-2'"
                + " (capabilities: none); passed over: ProviderB (missing Gamma); it would run on a loop offering"
                + " Gamma (ProviderB); no loop available here offers them;"
                + " or register an implementation with Transports.register"));
    }

    @Test
    void allowingAForeignProviderIsSuggestedOnlyWhenItWouldFit() {
        var fits = assertThrows(UnsupportedTransportException.class,
                () -> withKinds(entries(new Rogue()), Map.of()).resolve(new FakeLoop("fake-1"), FOREIGN));
        String rogue = Rogue.class.getName();
        assertThat(fits.getMessage(), is("No implementation of 'java.lang.test.run' for loop 'fake-1' (capabilities: none);"
                + " passed over: Rogue (foreign: dev.loopwire.transport does not own 'java.lang.test.run' (owner: java.base);"
                + " allow it with -Dloopwire.allow=" + rogue + ");"
                + " a foreign provider would fit this loop: if you trust it, allow it with -Dloopwire.allow=" + rogue
                + " or Transports.allow; or register an implementation with Transports.register"));
        var wouldNot = assertThrows(UnsupportedTransportException.class,
                () -> withKinds(entries(new RogueNeedsBeta()), Map.of()).resolve(new FakeLoop("fake-2", Alpha.class), FOREIGN));
        assertThat(wouldNot.getMessage(), is("No implementation of 'java.lang.test.run' for loop 'fake-2' (capabilities: Alpha);"
                + " passed over: RogueNeedsBeta (foreign: dev.loopwire.transport does not own 'java.lang.test.run'"
                + " (owner: java.base); it would not fit anyway: missing Beta);"
                + " register an implementation with Transports.register"));
    }

    /** Foreign to {@code FOREIGN} and needs Beta. */
    static final class RogueNeedsBeta extends Fakes.FakeProvider<Runnable> {
        RogueNeedsBeta() {
            super(FOREIGN, Set.of(Beta.class), 0, null, Availability.available(), loop -> () -> { });
        }
    }

    @Test
    void withNoProviderAtAllTheMessageSaysWhereToLook() {
        var e = assertThrows(UnsupportedTransportException.class,
                () -> withKinds(entries(), Map.of()).resolve(new FakeLoop("bare"), ECHO));
        assertThat(e.getMessage(), is("No implementation of 'dev.loopwire.transport.test.echo' for loop 'bare'"
                + " (capabilities: none); passed over: nothing (no provider for this key was found; put the module"
                + " that provides it on the module path or the class path);"
                + " register an implementation with Transports.register"));
    }

    @Test
    void explainListsCandidatesInDispatchOrderWithVerdicts() {
        Registry registry = registry(entries(new ProviderB(Set.of(Alpha.class), 0), new ProviderA(Set.of(), 0),
                new Unavailable()), Map.of());
        Explanation report = registry.explain(new FakeLoop("fake-2", Alpha.class), ECHO);
        Module module = getClass().getModule();
        String origin = module.getName() + "@" + module.getDescriptor().rawVersion().orElseThrow() + " (test-classes)";
        assertThat(report.candidates().stream().map(Candidate::name).toList(), contains("ProviderB", "ProviderA", "Unavailable"));
        assertThat(report.candidates().stream().map(Candidate::verdict).toList(),
                contains(Verdict.CHOSEN, Verdict.FITS, Verdict.PASSED_OVER));
        assertThat(report.toString(), is(
                "Transport 'dev.loopwire.transport.test.echo' on loop 'fake-2' (capabilities: Alpha)\n"
                + "  #  verdict      candidate    source    requires  prio  reason\n"
                + "  1  chosen       ProviderB    provider  Alpha     0     offers every required capability\n"
                + "  2  fits         ProviderA    provider  none      0     offers every required capability\n"
                + "  3  passed over  Unavailable  provider  none      100   unavailable: needs the moon\n"
                + "  origins:\n"
                + "    1 dev.loopwire.transport.Fakes$ProviderB: " + origin + "\n"
                + "    2 dev.loopwire.transport.Fakes$ProviderA: " + origin + "\n"
                + "    3 dev.loopwire.transport.Fakes$Unavailable: " + origin + "\n"));
    }

    @Test
    void explainCreatesNothing() {
        ProviderA a = new ProviderA(Set.of(), 0);
        Registry registry = registry(entries(a), Map.of());
        FakeLoop loop = new FakeLoop("fake");
        registry.explain(loop, ECHO);
        assertThat(a.created.get(), is(0));
        registry.resolve(loop, ECHO);
        assertThat(a.created.get(), is(1));
        assertThat(registry.explain(loop, ECHO).chosen().get().name(), is("ProviderA"));
        assertThat(a.created.get(), is(1));
    }

    @Test
    void afterResolutionExplainShowsWhatIsInUseIncludingCreateFailures() {
        var failing = new Fakes.ProviderC(Set.of(), 5, l -> {
            throw new IllegalStateException("socket table full");
        });
        Registry registry = registry(entries(failing, new ProviderA(Set.of(), 0)), Map.of());
        FakeLoop loop = new FakeLoop("fake");
        assertThat(registry.explain(loop, ECHO).chosen().get().name(), is("ProviderC"));
        assertThat(registry.resolve(loop, ECHO).who(), is("A"));
        Explanation report = registry.explain(loop, ECHO);
        assertThat(report.chosen().get().name(), is("ProviderA"));
        assertThat(report.candidates().get(0).reason(), is("create threw java.lang.IllegalStateException: socket table full"));
    }

    @Test
    void lambdaRegistrationsAreShownByTheirOwnerNotTheirHiddenClassName() {
        Registry registry = registry(entries(), Map.of());
        FakeLoop loop = new FakeLoop("fake");
        registry.register(FakeLoop.class, ECHO, l -> Fakes.echo("class"));
        Candidate c = registry.explain(loop, ECHO).candidates().get(0);
        assertThat(c.name(), is("ExplanationTest lambda"));
        assertThat(c.className(), is("dev.loopwire.transport.ExplanationTest lambda"));
    }
}
