// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class IocpProbeTest {

    @Test
    void otherSystemsAreRefusedByName() {
        assertThat(IocpProbe.probe("Linux", 8), is("IOCP needs Windows; os.name is 'Linux'"));
        assertThat(IocpProbe.probe("Mac OS X", 8), is("IOCP needs Windows; os.name is 'Mac OS X'"));
    }

    @Test
    void thirtyTwoBitWindowsIsRefused() {
        assertThat(IocpProbe.probe("Windows 10", 4), is("IOCP backend needs a 64-bit JVM; pointer size is '4' bytes"));
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void unavailableHereWithTheReason() {
        assertThat(IocpProbe.availability().isAvailable(), is(false));
        assertThat(IocpProbe.availability().reason(), is("IOCP needs Windows; os.name is '"
                + System.getProperty("os.name") + "'"));
    }

    @Test
    @EnabledOnOs(OS.WINDOWS)
    void availableOnWindows() {
        assertThat(IocpProbe.availability().isAvailable(), is(true));
    }
}
