// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.util.Map;

/**
 * Turns a Winsock or Win32 error code into the {@link IOException} subtype a Java network
 * programmer expects, with a message naming the failed call, what happened, and the symbolic
 * name and number of the code ({@code "WSASendTo failed: port unreachable (WSAECONNRESET
 * 10054)"}).
 *
 * <p>Types follow the JDK's own mapping on Windows where it has one: refused and reset on a
 * datagram socket mean an ICMP port-unreachable ({@link PortUnreachableException}), an address in
 * use or not local is a {@link BindException}, an unreachable network or host a
 * {@link NoRouteToHostException}. Cancellation becomes {@link OperationAbortedException} so that a
 * backend can tell it apart from a failure.
 *
 * <p><b>Thread-safety.</b> Stateless.
 */
public final class WinsockErrors {

    private WinsockErrors() {
    }

    static final int ERROR_INVALID_HANDLE = 6;
    static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    static final int ERROR_INVALID_PARAMETER = 87;
    static final int ERROR_MORE_DATA = 234;
    static final int WAIT_TIMEOUT = 258;
    /** Also {@code WSA_OPERATION_ABORTED}. */
    static final int ERROR_OPERATION_ABORTED = 995;
    /** Also {@code WSA_IO_PENDING}: the overlapped operation was started and will complete later. */
    static final int ERROR_IO_PENDING = 997;
    static final int ERROR_NOT_FOUND = 1168;
    static final int ERROR_CONNECTION_REFUSED = 1225;
    static final int ERROR_NETWORK_UNREACHABLE = 1231;
    static final int ERROR_HOST_UNREACHABLE = 1232;
    static final int ERROR_PORT_UNREACHABLE = 1234;

    static final int WSAEINTR = 10004;
    static final int WSAEBADF = 10009;
    static final int WSAEACCES = 10013;
    static final int WSAEFAULT = 10014;
    static final int WSAEINVAL = 10022;
    static final int WSAEMFILE = 10024;
    static final int WSAEWOULDBLOCK = 10035;
    static final int WSAEINPROGRESS = 10036;
    static final int WSAENOTSOCK = 10038;
    static final int WSAEDESTADDRREQ = 10039;
    static final int WSAEMSGSIZE = 10040;
    static final int WSAEPROTOTYPE = 10041;
    static final int WSAENOPROTOOPT = 10042;
    static final int WSAEPROTONOSUPPORT = 10043;
    static final int WSAESOCKTNOSUPPORT = 10044;
    static final int WSAEOPNOTSUPP = 10045;
    static final int WSAEPFNOSUPPORT = 10046;
    static final int WSAEAFNOSUPPORT = 10047;
    static final int WSAEADDRINUSE = 10048;
    static final int WSAEADDRNOTAVAIL = 10049;
    static final int WSAENETDOWN = 10050;
    static final int WSAENETUNREACH = 10051;
    static final int WSAENETRESET = 10052;
    static final int WSAECONNABORTED = 10053;
    static final int WSAECONNRESET = 10054;
    static final int WSAENOBUFS = 10055;
    static final int WSAEISCONN = 10056;
    static final int WSAENOTCONN = 10057;
    static final int WSAESHUTDOWN = 10058;
    static final int WSAETIMEDOUT = 10060;
    static final int WSAECONNREFUSED = 10061;
    static final int WSAEHOSTDOWN = 10064;
    static final int WSAEHOSTUNREACH = 10065;
    static final int WSASYSNOTREADY = 10091;
    static final int WSAVERNOTSUPPORTED = 10092;
    static final int WSANOTINITIALISED = 10093;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE"),
            Map.entry(ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY"),
            Map.entry(ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER"),
            Map.entry(ERROR_MORE_DATA, "ERROR_MORE_DATA"),
            Map.entry(WAIT_TIMEOUT, "WAIT_TIMEOUT"),
            Map.entry(ERROR_OPERATION_ABORTED, "ERROR_OPERATION_ABORTED"),
            Map.entry(ERROR_IO_PENDING, "ERROR_IO_PENDING"),
            Map.entry(ERROR_NOT_FOUND, "ERROR_NOT_FOUND"),
            Map.entry(ERROR_CONNECTION_REFUSED, "ERROR_CONNECTION_REFUSED"),
            Map.entry(ERROR_NETWORK_UNREACHABLE, "ERROR_NETWORK_UNREACHABLE"),
            Map.entry(ERROR_HOST_UNREACHABLE, "ERROR_HOST_UNREACHABLE"),
            Map.entry(ERROR_PORT_UNREACHABLE, "ERROR_PORT_UNREACHABLE"),
            Map.entry(WSAEINTR, "WSAEINTR"),
            Map.entry(WSAEBADF, "WSAEBADF"),
            Map.entry(WSAEACCES, "WSAEACCES"),
            Map.entry(WSAEFAULT, "WSAEFAULT"),
            Map.entry(WSAEINVAL, "WSAEINVAL"),
            Map.entry(WSAEMFILE, "WSAEMFILE"),
            Map.entry(WSAEWOULDBLOCK, "WSAEWOULDBLOCK"),
            Map.entry(WSAEINPROGRESS, "WSAEINPROGRESS"),
            Map.entry(WSAENOTSOCK, "WSAENOTSOCK"),
            Map.entry(WSAEDESTADDRREQ, "WSAEDESTADDRREQ"),
            Map.entry(WSAEMSGSIZE, "WSAEMSGSIZE"),
            Map.entry(WSAEPROTOTYPE, "WSAEPROTOTYPE"),
            Map.entry(WSAENOPROTOOPT, "WSAENOPROTOOPT"),
            Map.entry(WSAEPROTONOSUPPORT, "WSAEPROTONOSUPPORT"),
            Map.entry(WSAESOCKTNOSUPPORT, "WSAESOCKTNOSUPPORT"),
            Map.entry(WSAEOPNOTSUPP, "WSAEOPNOTSUPP"),
            Map.entry(WSAEPFNOSUPPORT, "WSAEPFNOSUPPORT"),
            Map.entry(WSAEAFNOSUPPORT, "WSAEAFNOSUPPORT"),
            Map.entry(WSAEADDRINUSE, "WSAEADDRINUSE"),
            Map.entry(WSAEADDRNOTAVAIL, "WSAEADDRNOTAVAIL"),
            Map.entry(WSAENETDOWN, "WSAENETDOWN"),
            Map.entry(WSAENETUNREACH, "WSAENETUNREACH"),
            Map.entry(WSAENETRESET, "WSAENETRESET"),
            Map.entry(WSAECONNABORTED, "WSAECONNABORTED"),
            Map.entry(WSAECONNRESET, "WSAECONNRESET"),
            Map.entry(WSAENOBUFS, "WSAENOBUFS"),
            Map.entry(WSAEISCONN, "WSAEISCONN"),
            Map.entry(WSAENOTCONN, "WSAENOTCONN"),
            Map.entry(WSAESHUTDOWN, "WSAESHUTDOWN"),
            Map.entry(WSAETIMEDOUT, "WSAETIMEDOUT"),
            Map.entry(WSAECONNREFUSED, "WSAECONNREFUSED"),
            Map.entry(WSAEHOSTDOWN, "WSAEHOSTDOWN"),
            Map.entry(WSAEHOSTUNREACH, "WSAEHOSTUNREACH"),
            Map.entry(WSASYSNOTREADY, "WSASYSNOTREADY"),
            Map.entry(WSAVERNOTSUPPORTED, "WSAVERNOTSUPPORTED"),
            Map.entry(WSANOTINITIALISED, "WSANOTINITIALISED"));

    /** The symbolic name and number of a code, {@code "WSAECONNRESET 10054"}, or {@code "error 4711"}. */
    public static String describe(int code) {
        String name = NAMES.get(code);
        return name == null ? "error " + code : name + " " + code;
    }

    /** Whether the code means the operation was cancelled rather than failed. */
    public static boolean isAborted(int code) {
        return code == ERROR_OPERATION_ABORTED;
    }

    /**
     * The exception for {@code code} returned by {@code call}.
     *
     * @param call the Winsock or Win32 function that failed, as named in the SDK
     * @param code the error it reported; never {@code 0}
     * @return the typed exception; never {@code null}
     */
    public static IOException exception(String call, int code) {
        String prefix = call + " failed: ";
        String suffix = " (" + describe(code) + ")";
        switch (code) {
            case WSAECONNRESET:
            case WSAECONNREFUSED:
            case ERROR_PORT_UNREACHABLE:
            case ERROR_CONNECTION_REFUSED:
                // On a datagram socket both mean an earlier send drew an ICMP port-unreachable.
                return new PortUnreachableException(prefix + "port unreachable" + suffix);
            case WSAEADDRINUSE:
                return new BindException(prefix + "address already in use" + suffix);
            case WSAEADDRNOTAVAIL:
                return new BindException(prefix + "address not available on this host" + suffix);
            case WSAEACCES:
                return new SocketException(prefix
                        + "permission denied (a broadcast send needs SO_BROADCAST; a port may be reserved)"
                        + suffix);
            case WSAENETUNREACH:
            case ERROR_NETWORK_UNREACHABLE:
                return new NoRouteToHostException(prefix + "network unreachable" + suffix);
            case WSAEHOSTUNREACH:
            case WSAEHOSTDOWN:
            case ERROR_HOST_UNREACHABLE:
                return new NoRouteToHostException(prefix + "host unreachable" + suffix);
            case WSAEMSGSIZE:
            case ERROR_MORE_DATA:
                return new IOException(prefix + (call.startsWith("WSARecv")
                        ? "datagram truncated: it was larger than the receive buffer"
                        : "datagram too large for the socket") + suffix);
            case ERROR_OPERATION_ABORTED:
                return new OperationAbortedException(prefix + "operation cancelled" + suffix);
            case WSAENOBUFS:
            case ERROR_NOT_ENOUGH_MEMORY:
                return new SocketException(prefix + "no buffer space available" + suffix);
            case WSAENOTSOCK:
            case WSAEBADF:
            case ERROR_INVALID_HANDLE:
                return new SocketException(prefix + "socket closed" + suffix);
            case WSAEAFNOSUPPORT:
            case WSAEPFNOSUPPORT:
            case WSAEPROTONOSUPPORT:
                return new SocketException(prefix + "address family not supported" + suffix);
            case WSAENOPROTOOPT:
                return new SocketException(prefix + "option not supported by this socket" + suffix);
            case WSAENETDOWN:
                return new SocketException(prefix + "network is down" + suffix);
            case WSAENETRESET:
                return new SocketException(prefix + "TTL expired in transit" + suffix);
            case WSAEMFILE:
                return new SocketException(prefix + "too many open sockets" + suffix);
            case WSAEISCONN:
                return new SocketException(prefix + "socket already connected" + suffix);
            case WSAENOTCONN:
            case WSAEDESTADDRREQ:
                return new SocketException(prefix + "socket not connected and no target given" + suffix);
            case WSAEINVAL:
            case WSAEFAULT:
            case ERROR_INVALID_PARAMETER:
                return new SocketException(prefix + "invalid argument" + suffix);
            case WSANOTINITIALISED:
            case WSASYSNOTREADY:
            case WSAVERNOTSUPPORTED:
                return new SocketException(prefix + "Winsock is not ready" + suffix);
            default:
                return code >= 10000 && code < 12000
                        ? new SocketException(prefix + "socket error" + suffix)
                        : new IOException(prefix + "system error" + suffix);
        }
    }
}
