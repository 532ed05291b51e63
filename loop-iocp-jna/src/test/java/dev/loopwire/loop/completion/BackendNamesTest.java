// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import dev.loopwire.loop.completion.internal.CompletionLoopProvider;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The completion loop answers to its backend's name as well as to {@code completion}. */
class BackendNamesTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void onLinuxTheAliasIsIoUring() {
        assertThat(new CompletionLoopProvider().aliases(), is(Set.of("io_uring")));
    }

    @Test
    @EnabledOnOs(OS.WINDOWS)
    void onWindowsTheAliasIsIocp() {
        assertThat(new CompletionLoopProvider().aliases(), is(Set.of("iocp")));
    }

    @Test
    void openByTheBackendNameOpensACompletionLoopNamedAfterIt() {
        RequireIoUring.check();
        try (EventLoop loop = EventLoops.open("io_uring")) {
            assertThat(loop, instanceOf(CompletionLoop.class));
            assertThat(loop.name(), startsWith("completion-"));
        }
    }

    @Test
    void theLoopPropertyAcceptsTheBackendName() {
        RequireIoUring.check();
        String before = System.getProperty(EventLoops.LOOP_PROPERTY);
        System.setProperty(EventLoops.LOOP_PROPERTY, "io_uring");
        try (EventLoop loop = EventLoops.open()) {
            assertThat(loop, instanceOf(CompletionLoop.class));
        } finally {
            if (before == null) {
                System.clearProperty(EventLoops.LOOP_PROPERTY);
            } else {
                System.setProperty(EventLoops.LOOP_PROPERTY, before);
            }
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void theOtherPlatformsBackendIsNotFoundAndTheMessageSaysWhatIs() {
        RequireIoUring.check();
        var e = assertThrows(IllegalArgumentException.class, () -> EventLoops.open("iocp"));
        assertThat(e.getMessage(), is("No event loop named 'iocp'; found: completion (available; also named"
                + " io_uring), selector (available); check the name or put the loop's module on the module path"));
    }

    @Test
    void aliasesDoNotMatchCaseInsensitivelyOrPartially() {
        assertThrows(IllegalArgumentException.class, () -> EventLoops.open("IO_URING"));
        var e = assertThrows(IllegalArgumentException.class, () -> EventLoops.open("io_uring-1"));
        assertThat(e.getMessage(), containsString("'io_uring-1'"));
    }
}
