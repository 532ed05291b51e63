// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

class IocpBackendTest {

    @Test
    void timeoutsBecomeWholeMillisecondsRoundedUp() {
        assertThat(IocpBackend.toMillis(-1), is(-1)); // INFINITE
        assertThat(IocpBackend.toMillis(0), is(0));
        assertThat(IocpBackend.toMillis(1), is(1));
        assertThat(IocpBackend.toMillis(1_000_000), is(1));
        assertThat(IocpBackend.toMillis(1_000_001), is(2));
        assertThat(IocpBackend.toMillis(Long.MAX_VALUE), is(Integer.MAX_VALUE));
    }
}
