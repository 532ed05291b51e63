// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;

/**
 * The typed {@link IOException} for a negative io_uring result (a Linux errno) of a UDP
 * operation: the one mapping a UDP transport needs, kept here because {@code UringCompletion}
 * gives the bare number (the synchronous {@code PosixCalls} already throw typed exceptions).
 *
 * <p>Messages name the call, the system's text, the errno name and its number, e.g.
 * {@code "sendmsg failed: Connection refused (ECONNREFUSED, errno 111)"}, as the loop's own
 * calls do. Stateless and thread-safe.
 */
final class Errnos {

    static final int ENOBUFS = 105;
    static final int ECANCELED = 125;

    private Errnos() {
    }

    /**
     * The exception for a failed operation.
     *
     * @param call what failed, such as {@code sendmsg}
     * @param errno the positive errno
     * @return the typed exception, never {@code null}
     */
    static IOException exception(String call, int errno) {
        String message = call + " failed: " + describe(errno);
        switch (errno) {
            case 111:
                return new PortUnreachableException(message);
            case 98:
            case 99:
                return new BindException(message);
            case 101:
            case 113:
                return new NoRouteToHostException(message);
            case 1: case 9: case 13: case 22: case 24: case 88: case 89: case 90: case 92: case 95: case 97:
            case 100: case 104: case 105: case 106: case 107: case 110: case 112:
                return new SocketException(message);
            default:
                return new IOException(message);
        }
    }

    /**
     * The system's text, name and number of an errno.
     *
     * @param errno the positive errno
     * @return e.g. {@code "Connection refused (ECONNREFUSED, errno 111)"}
     */
    static String describe(int errno) {
        String known = switch (errno) {
            case 1 -> "Operation not permitted (EPERM";
            case 9 -> "Bad file descriptor (EBADF";
            case 11 -> "Resource temporarily unavailable (EAGAIN";
            case 12 -> "Cannot allocate memory (ENOMEM";
            case 13 -> "Permission denied (EACCES";
            case 14 -> "Bad address (EFAULT";
            case 22 -> "Invalid argument (EINVAL";
            case 24 -> "Too many open files (EMFILE";
            case 88 -> "Socket operation on non-socket (ENOTSOCK";
            case 89 -> "Destination address required (EDESTADDRREQ";
            case 90 -> "Message too long (EMSGSIZE";
            case 92 -> "Protocol not available (ENOPROTOOPT";
            case 95 -> "Operation not supported (EOPNOTSUPP";
            case 97 -> "Address family not supported by protocol (EAFNOSUPPORT";
            case 98 -> "Address already in use (EADDRINUSE";
            case 99 -> "Cannot assign requested address (EADDRNOTAVAIL";
            case 100 -> "Network is down (ENETDOWN";
            case 101 -> "Network is unreachable (ENETUNREACH";
            case 104 -> "Connection reset by peer (ECONNRESET";
            case 105 -> "No buffer space available (ENOBUFS";
            case 106 -> "Transport endpoint is already connected (EISCONN";
            case 107 -> "Transport endpoint is not connected (ENOTCONN";
            case 110 -> "Connection timed out (ETIMEDOUT";
            case 111 -> "Connection refused (ECONNREFUSED";
            case 112 -> "Host is down (EHOSTDOWN";
            case 113 -> "No route to host (EHOSTUNREACH";
            case 125 -> "Operation canceled (ECANCELED";
            default -> null;
        };
        return known != null ? known + ", errno " + errno + ")" : "E" + errno + " (errno " + errno + ")";
    }
}
