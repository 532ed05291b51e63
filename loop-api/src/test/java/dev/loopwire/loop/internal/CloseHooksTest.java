// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloseHooksTest {

    private final CloseHooks hooks = new CloseHooks();
    private final List<String> ran = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();

    @Test
    void hooksRunOnceInOrderAndACancelledOneLeavesAtOnce() {
        hooks.add(() -> ran.add("a"));
        CloseHooks.Entry b = hooks.add(() -> ran.add("b"));
        hooks.add(() -> {
            ran.add("c");
            hooks.add(() -> ran.add("added by c"));
        });
        assertThat(b.cancel(), is(true));
        assertThat(hooks.size(), is(2));
        hooks.runAll(errors::add);
        hooks.runAll(errors::add);
        assertThat(ran, contains("a", "c", "added by c"));
        CloseHooks.Entry late = hooks.add(() -> ran.add("late"));
        assertThat(late.isKept(), is(false));
        late.run(errors::add);
        late.run(errors::add);
        assertThat(late.cancel(), is(false));
        assertThat(ran, contains("a", "c", "added by c", "late"));
        assertThat(errors.isEmpty(), is(true));
    }

    @Test
    void aThrowingHookGoesToOnErrorAndIfOnErrorThrowsTheRestStayForTheNextRun() {
        hooks.add(() -> {
            throw new StackOverflowError("hook 1");
        });
        hooks.add(() -> ran.add("2"));
        hooks.runAll(errors::add);
        assertThat(errors.get(0).getMessage(), is("hook 1"));
        assertThat(ran, contains("2"));

        CloseHooks more = new CloseHooks();
        more.add(() -> {
            throw new IllegalStateException("hook");
        });
        more.add(() -> ran.add("after a broken handler"));
        assertThrows(IllegalArgumentException.class, () -> more.runAll(t -> {
            throw new IllegalArgumentException("handler");
        }));
        more.runAll(errors::add);
        assertThat(ran, contains("2", "after a broken handler"));
    }
}
