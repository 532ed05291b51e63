// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void errnoBecomesTheJdkType() {
        assertThat(Errno.exception("sendmsg", 111), instanceOf(PortUnreachableException.class));
        assertThat(Errno.exception("bind", 98), instanceOf(BindException.class));
        assertThat(Errno.exception("bind", 99), instanceOf(BindException.class));
        assertThat(Errno.exception("sendmsg", 113), instanceOf(NoRouteToHostException.class));
        assertThat(Errno.exception("sendmsg", 101), instanceOf(NoRouteToHostException.class));
        assertThat(Errno.exception("bind", 13), instanceOf(SocketException.class));
        assertThat(Errno.exception("socket", 1), instanceOf(SocketException.class));
        assertThat(Errno.exception("read", 5).getClass(), is(IOException.class));
    }

    @Test
    void messagesNameTheCallTheErrnoAndItsNumber() {
        assertThat(Errno.exception("sendmsg", 111).getMessage(), is("sendmsg failed: Connection refused (ECONNREFUSED, errno 111)"));
        assertThat(Errno.exception("bind to '/127.0.0.1:1'", 13).getMessage(),
                is("bind to '/127.0.0.1:1' failed: Permission denied (EACCES, errno 13)"));
        assertThat(Errno.exception("socket", 1).getMessage(), is("socket failed: Operation not permitted (EPERM, errno 1)"));
        assertThat(Errno.exception("x", 4095).getMessage(), is("x failed: E4095 (errno 4095)"));
    }
}
