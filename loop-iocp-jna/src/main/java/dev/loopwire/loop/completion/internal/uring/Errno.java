// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;

/**
 * Linux errno values: their names and the typed {@link IOException} each one becomes.
 *
 * <p>Messages name the call, the system's text, the errno name and its number, e.g.
 * {@code "sendmsg failed: Connection refused (ECONNREFUSED, errno 111)"}. Stateless, thread-safe.
 */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;
    public static final int ETIME = 62;
    public static final int ENOBUFS = 105;
    public static final int ECANCELED = 125;

    private static final String[] NAMES = new String[134];
    // glibc's strerror texts, so messages read like the JDK's ("Address already in use").
    private static final String[] TEXTS = new String[134];

    static {
        String[] pairs = {
            "1 EPERM", "2 ENOENT", "4 EINTR", "5 EIO", "9 EBADF", "11 EAGAIN", "12 ENOMEM",
            "13 EACCES", "14 EFAULT", "16 EBUSY", "17 EEXIST", "22 EINVAL", "23 ENFILE",
            "24 EMFILE", "28 ENOSPC", "32 EPIPE", "38 ENOSYS", "62 ETIME", "88 ENOTSOCK",
            "89 EDESTADDRREQ", "90 EMSGSIZE", "91 EPROTOTYPE", "92 ENOPROTOOPT",
            "93 EPROTONOSUPPORT", "95 EOPNOTSUPP", "97 EAFNOSUPPORT", "98 EADDRINUSE",
            "99 EADDRNOTAVAIL", "100 ENETDOWN", "101 ENETUNREACH", "103 ECONNABORTED",
            "104 ECONNRESET", "105 ENOBUFS", "106 EISCONN", "107 ENOTCONN", "110 ETIMEDOUT",
            "111 ECONNREFUSED", "112 EHOSTDOWN", "113 EHOSTUNREACH", "114 EALREADY",
            "125 ECANCELED",
        };
        for (String pair : pairs) {
            int space = pair.indexOf(' ');
            NAMES[Integer.parseInt(pair.substring(0, space))] = pair.substring(space + 1);
        }
        String[] texts = {
            "1 Operation not permitted",
            "2 No such file or directory",
            "4 Interrupted system call",
            "5 Input/output error",
            "9 Bad file descriptor",
            "11 Resource temporarily unavailable",
            "12 Cannot allocate memory",
            "13 Permission denied",
            "14 Bad address",
            "16 Device or resource busy",
            "17 File exists",
            "22 Invalid argument",
            "23 Too many open files in system",
            "24 Too many open files",
            "28 No space left on device",
            "32 Broken pipe",
            "38 Function not implemented",
            "62 Timer expired",
            "88 Socket operation on non-socket",
            "89 Destination address required",
            "90 Message too long",
            "91 Protocol wrong type for socket",
            "92 Protocol not available",
            "93 Protocol not supported",
            "95 Operation not supported",
            "97 Address family not supported by protocol",
            "98 Address already in use",
            "99 Cannot assign requested address",
            "100 Network is down",
            "101 Network is unreachable",
            "103 Software caused connection abort",
            "104 Connection reset by peer",
            "105 No buffer space available",
            "106 Transport endpoint is already connected",
            "107 Transport endpoint is not connected",
            "110 Connection timed out",
            "111 Connection refused",
            "112 Host is down",
            "113 No route to host",
            "114 Operation already in progress",
            "125 Operation canceled",
        };
        for (String text : texts) {
            int space = text.indexOf(' ');
            TEXTS[Integer.parseInt(text.substring(0, space))] = text.substring(space + 1);
        }
    }

    private Errno() {
    }

    /** The symbolic name of an errno, such as {@code ECONNREFUSED}, or {@code errno 1234}. */
    public static String name(int errno) {
        String name = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return name != null ? name : "E" + errno;
    }

    /** {@code "Connection refused (ECONNREFUSED, errno 111)"}, or {@code "E1234 (errno 1234)"}. */
    public static String describe(int errno) {
        String text = errno > 0 && errno < TEXTS.length ? TEXTS[errno] : null;
        return text != null ? text + " (" + name(errno) + ", errno " + errno + ")" : name(errno) + " (errno " + errno + ")";
    }

    /**
     * The exception for a failed call.
     *
     * @param call what failed, such as {@code sendmsg} or {@code bind to 127.0.0.1:53}
     * @param errno the positive errno
     */
    public static IOException exception(String call, int errno) {
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
            case 1: case 9: case 13: case 22: case 23: case 24: case 88: case 89: case 90:
            case 92: case 93: case 95: case 97: case 100: case 104: case 105: case 106:
            case 107: case 110: case 112:
                return new SocketException(message);
            default:
                return new IOException(message);
        }
    }
}
