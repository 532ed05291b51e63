// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TransportKeyTest {

    /** A type declared in this module, so keys of it are owned by dev.loopwire.loop. */
    interface Binder {
    }

    @Test
    void keyNamedAfterItsModuleIsAccepted() {
        TransportKey<Binder> key = TransportKey.of("dev.loopwire.loop.test.bind", Binder.class);
        assertThat(key.name(), is("dev.loopwire.loop.test.bind"));
        assertThat(key.type(), is(Binder.class));
        assertThat(key.owner(), is("dev.loopwire.loop"));
        assertThat(getClass().getModule().getName(), is("dev.loopwire.loop"));
    }

    @Test
    void keyNamedOutsideItsModuleIsRejectedWithTheExpectedPrefix() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> TransportKey.of("com.example.udp.listen", Binder.class));
        assertThat(e.getMessage(), is("Transport key name 'com.example.udp.listen' must start with"
                + " 'dev.loopwire.loop.', the name of the module that declares"
                + " dev.loopwire.loop.TransportKeyTest$Binder; rename the key or declare its type"
                + " in the module that owns the name"));
    }

    @Test
    void malformedNamesAreRejected() {
        for (String bad : new String[] {"", ".a", "dev.loopwire.loop.", "dev..loop", "dev.loopwire.loop.a b"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> TransportKey.of(bad, Binder.class));
            assertThat(e.getMessage(), is("Transport key name '" + bad
                    + "' is not a dotted qualified name such as 'com.example.udp.listen'"));
        }
    }

    @Test
    void nullArgumentsAreRejectedByName() {
        var name = assertThrows(NullPointerException.class, () -> TransportKey.of(null, Binder.class));
        assertThat(name.getMessage(), is("qualifiedName"));
        var type = assertThrows(NullPointerException.class, () -> TransportKey.of("dev.loopwire.loop.x", null));
        assertThat(type.getMessage(), is("type"));
    }

    @Test
    void ownerMayDeclareReplacedNames() {
        TransportKey<Binder> key = TransportKey.of("dev.loopwire.loop.test.bind", Binder.class)
                .replacing("com.example.udp.listen", "com.example.udp.listen");
        assertThat(key.replaces(), contains("com.example.udp.listen"));
        assertThat(key.answersTo("com.example.udp.listen"), is(true));
        assertThat(key.answersTo("com.example.other"), is(false));
        assertThat(key.toString(), is("dev.loopwire.loop.test.bind (replaces com.example.udp.listen)"));
    }

    @Test
    void aKeyCannotReplaceItself() {
        TransportKey<Binder> key = TransportKey.of("dev.loopwire.loop.test.bind", Binder.class);
        var e = assertThrows(IllegalArgumentException.class, () -> key.replacing("dev.loopwire.loop.test.bind"));
        assertThat(e.getMessage(), is("Transport key 'dev.loopwire.loop.test.bind' cannot replace itself"));
    }

    @Test
    void keysCompareByNameTypeAndReplacedNames() {
        var a = TransportKey.of("dev.loopwire.loop.test.bind", Binder.class);
        var b = TransportKey.of("dev.loopwire.loop.test.bind", Binder.class);
        assertThat(a.equals(b), is(true));
        assertThat(a.hashCode(), is(b.hashCode()));
        assertThat(a.equals(a.replacing("com.example.x")), is(false));
    }

    @Test
    void inANamedModuleOwnershipIsTheModule() {
        var key = TransportKey.of("dev.loopwire.loop.test.bind", Binder.class);
        assertThat(key.isOwnedBy(EventLoops.class), is(true));
        assertThat(key.isOwnedBy(String.class), is(false));
    }
}
