package dev.loopwire.loop.iocp.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class IocpAvailabilityTest {

    @Test
    void otherSystemsAreRefusedByName() {
        assertThat(Iocp.probe("Linux", 8), is("IOCP needs Windows; os.name is 'Linux'"));
        assertThat(Iocp.probe("Mac OS X", 8), is("IOCP needs Windows; os.name is 'Mac OS X'"));
    }

    @Test
    void thirtyTwoBitWindowsIsRefused() {
        assertThat(Iocp.probe("Windows 10", 4), is("IOCP backend needs a 64-bit JVM; pointer size is '4' bytes"));
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void unavailableHereWithTheReason() {
        assertThat(Iocp.isAvailable(), is(false));
        assertThat(Iocp.unavailabilityCause(), is("IOCP needs Windows; os.name is '"
                + System.getProperty("os.name") + "'"));
    }

    @Test
    @EnabledOnOs(OS.WINDOWS)
    void availableOnWindows() {
        assertThat(Iocp.unavailabilityCause(), nullValue());
        assertThat(Iocp.isAvailable(), is(true));
    }
}
