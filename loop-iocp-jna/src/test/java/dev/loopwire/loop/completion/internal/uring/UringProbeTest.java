// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.loopwire.loop.completion.IoUring;
import dev.loopwire.loop.completion.RequireIoUring;
import org.junit.jupiter.api.Test;

class UringProbeTest {

    @Test
    void theProbeFindsIoUringHere() {
        RequireIoUring.check();
        assertThat(UringProbe.unavailableReason(), is((String) null));
        assertThat(IoUring.isAvailable(), is(true));
    }

    @Test
    void refusalsAreExplained() {
        assertThat(UringProbe.explain(Errno.ENOSYS), is("io_uring_setup returned Function not implemented (ENOSYS, errno 38): the kernel ("
                + System.getProperty("os.version") + ") is older than 5.1 or was built without io_uring"));
        assertThat(UringProbe.explain(Errno.EPERM), startsWith("io_uring_setup returned Operation not permitted (EPERM, errno 1): "));
        assertThat(UringProbe.explain(Errno.EINVAL), is("io_uring_setup returned Invalid argument (EINVAL, errno 22)"));
    }
}
