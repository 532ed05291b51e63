// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class WinsockErrorsTest {

    @Test
    void resetAndRefusedMeanPortUnreachable() {
        IOException reset = WinsockErrors.exception("WSARecvFrom", 10054);
        assertThat(reset, instanceOf(PortUnreachableException.class));
        assertThat(reset.getMessage(), is("WSARecvFrom failed: port unreachable (WSAECONNRESET 10054)"));
        IOException refused = WinsockErrors.exception("WSASendTo", 10061);
        assertThat(refused, instanceOf(PortUnreachableException.class));
        assertThat(refused.getMessage(), is("WSASendTo failed: port unreachable (WSAECONNREFUSED 10061)"));
        assertThat(WinsockErrors.exception("WSARecvFrom", 1234), instanceOf(PortUnreachableException.class));
    }

    @Test
    void addressProblemsAreBindExceptions() {
        IOException inUse = WinsockErrors.exception("bind to '127.0.0.1:5000'", 10048);
        assertThat(inUse, instanceOf(BindException.class));
        assertThat(inUse.getMessage(),
                is("bind to '127.0.0.1:5000' failed: address already in use (WSAEADDRINUSE 10048)"));
        IOException notLocal = WinsockErrors.exception("bind", 10049);
        assertThat(notLocal, instanceOf(BindException.class));
        assertThat(notLocal.getMessage(), is("bind failed: address not available on this host (WSAEADDRNOTAVAIL 10049)"));
    }

    @Test
    void accessDeniedIsASocketExceptionWithTheRemedy() {
        IOException e = WinsockErrors.exception("WSASendTo", 10013);
        assertThat(e.getClass(), is(SocketException.class));
        assertThat(e.getMessage(), is("WSASendTo failed: permission denied (a broadcast send needs SO_BROADCAST;"
                + " a port may be reserved) (WSAEACCES 10013)"));
    }

    @Test
    void messageSizeIsTruncationOnReceiveAndTooLargeOnSend() {
        IOException receive = WinsockErrors.exception("WSARecvFrom", 10040);
        assertThat(receive.getClass(), is(IOException.class));
        assertThat(receive.getMessage(),
                is("WSARecvFrom failed: datagram truncated: it was larger than the receive buffer (WSAEMSGSIZE 10040)"));
        IOException send = WinsockErrors.exception("WSASendTo", 10040);
        assertThat(send.getClass(), is(IOException.class));
        assertThat(send.getMessage(), is("WSASendTo failed: datagram too large for the socket (WSAEMSGSIZE 10040)"));
    }

    @Test
    void abortIsCancellationNotFailure() {
        IOException e = WinsockErrors.exception("WSARecvFrom", 995);
        assertThat(e, instanceOf(OperationAbortedException.class));
        assertThat(e.getMessage(), is("WSARecvFrom failed: operation cancelled (ERROR_OPERATION_ABORTED 995)"));
        assertThat(WinsockErrors.isAborted(995), is(true));
        assertThat(WinsockErrors.isAborted(10054), is(false));
    }

    @Test
    void unreachableNetworksAndHostsAreNoRouteToHost() {
        assertThat(WinsockErrors.exception("WSASendTo", 10051), instanceOf(NoRouteToHostException.class));
        assertThat(WinsockErrors.exception("WSASendTo", 10065).getMessage(),
                is("WSASendTo failed: host unreachable (WSAEHOSTUNREACH 10065)"));
        assertThat(WinsockErrors.exception("WSASendTo", 1231), instanceOf(NoRouteToHostException.class));
    }

    @Test
    void otherSocketErrorsAreSocketExceptions() {
        assertThat(WinsockErrors.exception("WSARecvFrom", 10038).getMessage(),
                is("WSARecvFrom failed: socket closed (WSAENOTSOCK 10038)"));
        assertThat(WinsockErrors.exception("setsockopt(41, 27)", 10042).getMessage(),
                is("setsockopt(41, 27) failed: option not supported by this socket (WSAENOPROTOOPT 10042)"));
        assertThat(WinsockErrors.exception("WSASendTo", 10055).getClass(), is(SocketException.class));
        assertThat(WinsockErrors.exception("WSAStartup", 10091).getMessage(),
                is("WSAStartup failed: Winsock is not ready (WSASYSNOTREADY 10091)"));
    }

    @Test
    void unknownCodesKeepTheirNumber() {
        IOException socket = WinsockErrors.exception("WSAIoctl", 11999);
        assertThat(socket.getClass(), is(SocketException.class));
        assertThat(socket.getMessage(), is("WSAIoctl failed: socket error (error 11999)"));
        IOException system = WinsockErrors.exception("CreateIoCompletionPort", 4711);
        assertThat(system.getClass(), is(IOException.class));
        assertThat(system.getMessage(), is("CreateIoCompletionPort failed: system error (error 4711)"));
    }

    @Test
    void describeNamesTheCode() {
        assertThat(WinsockErrors.describe(997), is("ERROR_IO_PENDING 997"));
        assertThat(WinsockErrors.describe(258), is("WAIT_TIMEOUT 258"));
        assertThat(WinsockErrors.describe(10093), is("WSANOTINITIALISED 10093"));
        assertThat(WinsockErrors.describe(1), is("error 1"));
    }
}
