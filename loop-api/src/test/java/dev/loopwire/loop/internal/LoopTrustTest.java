// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/** The trust rule for kinds of loop, judged on providers that are not loopwire's own. */
class LoopTrustTest {

    /** A foreign kind (its class is in the tests, not a loopwire loop module). */
    static final class Foreign implements EventLoopProvider {
        private final String name;
        private final Set<String> aliases;

        Foreign(String name, Set<String> aliases) {
            this.name = name;
            this.aliases = aliases;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> aliases() {
            return aliases;
        }

        @Override
        public Availability availability() {
            return Availability.available();
        }

        @Override
        public int priority() {
            return Integer.MAX_VALUE;
        }

        @Override
        public Set<Class<? extends Capability>> capabilities() {
            return Set.of();
        }

        @Override
        public EventLoop open(ThreadFactory threads) {
            throw new AssertionError("never opened here");
        }
    }

    @Test
    void aForeignKindClaimingALoopwireNameOrAliasIsRefusedSayingHowToAllowIt() {
        Foreign selector = new Foreign("selector", Set.of());
        Foreign alias = new Foreign("sneaky", Set.of("io_uring"));
        LoopTrust.Verdicts verdicts = LoopTrust.judge(List.of(selector, alias), Set.of());
        assertThat(verdicts.refused().get(selector), is("refused: " + Foreign.class.getName() + " from "
                + CodeOwners.describe(Foreign.class) + " calls itself 'selector', a loop name that loopwire's own "
                + "'selector' loop owns; rename the kind, or allow it with -Dloopwire.allow=" + Foreign.class.getName()));
        assertThat(verdicts.refused().get(alias).contains("calls itself 'io_uring', a loop name that loopwire's own "
                + "'completion' loop owns"), is(true));
        assertThat("never chosen by open()", verdicts.defaults().isEmpty(), is(true));
    }

    @Test
    void aForeignKindWithItsOwnNameOpensOnlyWhenNamedOrAllowed() {
        Foreign rogue = new Foreign("rogue", Set.of("also-rogue"));
        LoopTrust.Verdicts stray = LoopTrust.judge(List.of(rogue), Set.of());
        assertThat("not refused: open(\"rogue\") may open it", stray.refused().isEmpty(), is(true));
        assertThat("but open() and the default loop pass it over", stray.defaults().contains(rogue), is(false));
        LoopTrust.Verdicts allowed = LoopTrust.judge(List.of(rogue), Set.of(Foreign.class.getName()));
        assertThat(allowed.defaults().contains(rogue), is(true));
    }

    @Test
    void allowingAForeignClassLiftsTheRefusalOfAnOwnedName() {
        Foreign selector = new Foreign("selector", Set.of());
        LoopTrust.Verdicts verdicts = LoopTrust.judge(List.of(selector), Set.of(Foreign.class.getName()));
        assertThat(verdicts.refused().isEmpty(), is(true));
        assertThat(verdicts.defaults().contains(selector), is(true));
    }

    @Test
    void kindsAnsweringToTheSameNameAreReported() {
        Foreign first = new Foreign("rogue", Set.of("fast"));
        Foreign second = new Foreign("other", Set.of("fast", "rogue"));
        List<String> shared = LoopTrust.sharedNames(List.of(first, second));
        String kind = Foreign.class.getName() + " from " + CodeOwners.describe(Foreign.class);
        assertThat(shared, is(List.of(
                "Event loop kinds [" + kind + ", " + kind + "] all answer to 'fast'; EventLoops.open(\"fast\") uses the "
                        + "one it finds first by name, then by alias, best ranked first; rename the others or remove their jars",
                "Event loop kinds [" + kind + ", " + kind + "] all answer to 'rogue'; EventLoops.open(\"rogue\") uses the "
                        + "one it finds first by name, then by alias, best ranked first; rename the others or remove their jars")));
        assertThat(LoopTrust.sharedNames(List.of(first, new Foreign("third", Set.of()))), is(List.of()));
    }

    @Test
    void onlyLoopwiresLoopProviderClassesInTheirOwnModulesAreOwn() {
        assertThat(LoopTrust.isOwn(Foreign.class), is(false));
        assertThat(LoopTrust.isOwn(String.class), is(false));
    }

    @Test
    void allowedReadsTheCommaSeparatedProperty() {
        String before = System.getProperty(LoopTrust.ALLOW_PROPERTY);
        try {
            System.setProperty(LoopTrust.ALLOW_PROPERTY, " a.B , ,c.D");
            assertThat(LoopTrust.allowed(), is(Set.of("a.B", "c.D")));
            System.clearProperty(LoopTrust.ALLOW_PROPERTY);
            assertThat(LoopTrust.allowed(), is(Set.of()));
        } finally {
            if (before != null) {
                System.setProperty(LoopTrust.ALLOW_PROPERTY, before);
            }
        }
    }
}
