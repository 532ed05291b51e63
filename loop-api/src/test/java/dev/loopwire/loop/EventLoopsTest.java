// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.spi.CurrentLoop;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/** loop-api alone has no loop provider: these check the lookups and the probe isolation. */
class EventLoopsTest {

    private static EventLoopProvider probe(Availability availability, RuntimeException thrown) {
        return new EventLoopProvider() {
            @Override
            public String name() {
                return "probe";
            }

            @Override
            public Availability availability() {
                if (thrown != null) {
                    throw thrown;
                }
                return availability;
            }

            @Override
            public Set<Class<? extends Capability>> capabilities() {
                return Set.of();
            }

            @Override
            public EventLoop open(ThreadFactory threads) {
                throw new AssertionError("not opened in these tests");
            }
        };
    }

    @Test
    void aProbeThatThrowsCountsAsUnavailableWithTheCause() {
        Availability a = EventLoops.availability(probe(null, new IllegalStateException("no /proc")));
        assertThat(a.isAvailable(), is(false));
        assertThat(a.reason(), is("availability probe threw java.lang.IllegalStateException: no /proc"));
    }

    @Test
    void aProbeReturningNullCountsAsUnavailable() {
        Availability a = EventLoops.availability(probe(null, null));
        assertThat(a.isAvailable(), is(false));
        assertThat(a.reason(), startsWith("dev.loopwire.loop.EventLoopsTest$"));
    }

    @Test
    void anUnknownLoopNameIsRejectedListingWhatWasFound() {
        var e = assertThrows(IllegalArgumentException.class, () -> EventLoops.open("no-such-loop"));
        assertThat(e.getMessage(), is("No event loop named 'no-such-loop'; found: none;"
                + " check the name or put the loop's module on the module path"));
    }

    @Test
    void openWithNoLoopModuleSaysWhatToAdd() {
        var e = assertThrows(IllegalStateException.class, EventLoops::open);
        assertThat(e.getMessage(), is("No event loop is available; found: none;"
                + " put a loop module such as dev.loopwire.loop.selector on the module path"));
    }

    @Test
    void currentIsEmptyOffLoopAndSetOnALoopThread() {
        assertThat(EventLoops.current().isPresent(), is(false));
        assertThrows(NullPointerException.class, () -> CurrentLoop.enter(null));
    }

    @Test
    void availabilityValuesSayWhy() {
        assertThat(Availability.available().toString(), is("available"));
        assertThat(Availability.unavailable("io_uring_setup returned EPERM").toString(),
                is("unavailable: io_uring_setup returned EPERM"));
        var e = assertThrows(IllegalArgumentException.class, () -> Availability.unavailable(" "));
        assertThat(e.getMessage(), is("an unavailable provider must say why"));
    }
}
