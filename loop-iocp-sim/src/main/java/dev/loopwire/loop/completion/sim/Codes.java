// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.sim;

/**
 * The Win32 and Winsock numbers the simulator answers with, written down from Microsoft's
 * documentation apart from the backend's own tables, so that a wrong number on one side shows.
 */
final class Codes {

    private Codes() {
    }

    static final long INVALID_HANDLE_VALUE = -1L;
    static final int AF_INET6 = 23;
    static final int SIO_GET_EXTENSION_FUNCTION_POINTER = 0xC8000006;

    static final int ERROR_INVALID_HANDLE = 6;
    static final int ERROR_INVALID_PARAMETER = 87;
    static final int ERROR_MORE_DATA = 234;
    static final int WAIT_TIMEOUT = 258;
    static final int ERROR_OPERATION_ABORTED = 995;
    static final int ERROR_IO_PENDING = 997;
    static final int ERROR_NOT_FOUND = 1168;

    static final int WSAEFAULT = 10014;
    static final int WSAEINVAL = 10022;
    static final int WSAENOTSOCK = 10038;
    static final int WSAEMSGSIZE = 10040;
    static final int WSAENOPROTOOPT = 10042;
    static final int WSAEADDRINUSE = 10048;
    static final int WSAECONNABORTED = 10053;
    static final int WSAECONNRESET = 10054;
    static final int WSAEISCONN = 10056;
    static final int WSAENOTCONN = 10057;
    static final int WSAESHUTDOWN = 10058;
    static final int WSAECONNREFUSED = 10061;
}
