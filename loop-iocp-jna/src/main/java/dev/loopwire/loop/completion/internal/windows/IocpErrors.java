// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import dev.loopwire.loop.IocpFunction;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;

/**
 * The typed exception of a failed {@link IocpFunction}: connection-oriented meanings for the
 * stream functions (a reset is a reset, not an ICMP port-unreachable; a refused
 * {@code ConnectEx} is a {@link ConnectException}), end of file and broken pipes as
 * {@link EOFException}, and everything else as {@link WinsockErrors} maps it for datagrams.
 *
 * <p>Stateless.
 */
final class IocpErrors {

    static final int ERROR_HANDLE_EOF = 38;
    static final int ERROR_NETNAME_DELETED = 64;
    static final int ERROR_BROKEN_PIPE = 109;
    static final int ERROR_SEM_TIMEOUT = 121;
    static final int ERROR_CONNECTION_ABORTED = 1236;

    private IocpErrors() {
    }

    /** The Win32 or Winsock name of a function, as in the SDK. */
    static String call(IocpFunction function) {
        switch (function) {
            case WSA_RECV: return "WSARecv";
            case WSA_SEND: return "WSASend";
            case WSA_RECV_FROM: return "WSARecvFrom";
            case WSA_SEND_TO: return "WSASendTo";
            case ACCEPT_EX: return "AcceptEx";
            case CONNECT_EX: return "ConnectEx";
            case DISCONNECT_EX: return "DisconnectEx";
            case READ_FILE: return "ReadFile";
            case WRITE_FILE: return "WriteFile";
            default: return "PostQueuedCompletionStatus";
        }
    }

    /** {@link WinsockErrors#describe} with the file and pipe codes the raw port meets. */
    static String describe(int code) {
        switch (code) {
            case ERROR_HANDLE_EOF: return "ERROR_HANDLE_EOF 38";
            case ERROR_NETNAME_DELETED: return "ERROR_NETNAME_DELETED 64";
            case ERROR_BROKEN_PIPE: return "ERROR_BROKEN_PIPE 109";
            case ERROR_SEM_TIMEOUT: return "ERROR_SEM_TIMEOUT 121";
            case ERROR_CONNECTION_ABORTED: return "ERROR_CONNECTION_ABORTED 1236";
            default: return WinsockErrors.describe(code);
        }
    }

    static IOException exception(IocpFunction function, int code) {
        String call = call(function);
        String prefix = call + " failed: ";
        String suffix = " (" + describe(code) + ")";
        boolean datagram = function == IocpFunction.WSA_RECV_FROM || function == IocpFunction.WSA_SEND_TO;
        switch (code) {
            case ERROR_HANDLE_EOF:
                return new EOFException(prefix + "end of file" + suffix);
            case ERROR_BROKEN_PIPE:
                return new EOFException(prefix + "the other end of the pipe closed" + suffix);
            default:
                break;
        }
        if (!datagram) {
            switch (code) {
                case WinsockErrors.WSAECONNREFUSED:
                case WinsockErrors.ERROR_CONNECTION_REFUSED:
                    return new ConnectException(prefix + "connection refused" + suffix);
                case WinsockErrors.WSAETIMEDOUT:
                case ERROR_SEM_TIMEOUT:
                    return function == IocpFunction.CONNECT_EX
                            ? new ConnectException(prefix + "connection timed out" + suffix)
                            : new SocketException(prefix + "connection timed out" + suffix);
                case WinsockErrors.WSAECONNRESET:
                case ERROR_NETNAME_DELETED:
                    return new SocketException(prefix + "connection reset" + suffix);
                case WinsockErrors.WSAECONNABORTED:
                case ERROR_CONNECTION_ABORTED:
                    return new SocketException(prefix + "connection aborted" + suffix);
                default:
                    break;
            }
        }
        return WinsockErrors.exception(call, code);
    }
}
