// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * {@link WinApi} on the real kernel32.dll and ws2_32.dll: each method forwards to the direct
 * mapping in {@link Kernel32Ex} or {@link Ws2_32}; the last error is the one JNA captured after
 * the call ({@link Native#getLastError()}).
 *
 * <p><b>Lifecycle.</b> Creating it binds nothing; the first call loads the mapping classes, which
 * binds the DLLs and fails with a {@link LinkageError} outside Windows.
 *
 * <p><b>Thread-safety.</b> Stateless.
 */
final class NativeWinApi implements WinApi {

    @Override
    public long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey, int concurrentThreads) {
        return Kernel32Ex.CreateIoCompletionPort(fileHandle, existingPort, completionKey, concurrentThreads);
    }

    @Override
    public int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved, int milliseconds,
            int alertable) {
        return Kernel32Ex.GetQueuedCompletionStatusEx(port, entries, count, numRemoved, milliseconds, alertable);
    }

    @Override
    public int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped) {
        return Kernel32Ex.PostQueuedCompletionStatus(port, bytes, completionKey, overlapped);
    }

    @Override
    public int CancelIoEx(long handle, long overlapped) {
        return Kernel32Ex.CancelIoEx(handle, overlapped);
    }

    @Override
    public int SetFileCompletionNotificationModes(long handle, byte flags) {
        return Kernel32Ex.SetFileCompletionNotificationModes(handle, flags);
    }

    @Override
    public int CloseHandle(long handle) {
        return Kernel32Ex.CloseHandle(handle);
    }

    @Override
    public int WSAStartup(short version, long wsaData) {
        return Ws2_32.WSAStartup(version, wsaData);
    }

    @Override
    public int WSACleanup() {
        return Ws2_32.WSACleanup();
    }

    @Override
    public long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags) {
        return Ws2_32.WSASocketW(af, type, protocol, protocolInfo, group, flags);
    }

    @Override
    public int bind(long socket, long name, int nameLength) {
        return Ws2_32.bind(socket, name, nameLength);
    }

    @Override
    public int connect(long socket, long name, int nameLength) {
        return Ws2_32.connect(socket, name, nameLength);
    }

    @Override
    public int setsockopt(long socket, int level, int option, long value, int length) {
        return Ws2_32.setsockopt(socket, level, option, value, length);
    }

    @Override
    public int getsockopt(long socket, int level, int option, long value, long lengthPointer) {
        return Ws2_32.getsockopt(socket, level, option, value, lengthPointer);
    }

    @Override
    public int getsockname(long socket, long name, long lengthPointer) {
        return Ws2_32.getsockname(socket, name, lengthPointer);
    }

    @Override
    public int closesocket(long socket) {
        return Ws2_32.closesocket(socket);
    }

    @Override
    public int WSARecvFrom(long socket, long buffers, int bufferCount, long bytesReceived, long flags, long from,
            long fromLength, long overlapped, long completionRoutine) {
        return Ws2_32.WSARecvFrom(socket, buffers, bufferCount, bytesReceived, flags, from, fromLength, overlapped,
                completionRoutine);
    }

    @Override
    public int WSASendTo(long socket, long buffers, int bufferCount, long bytesSent, int flags, long to, int toLength,
            long overlapped, long completionRoutine) {
        return Ws2_32.WSASendTo(socket, buffers, bufferCount, bytesSent, flags, to, toLength, overlapped,
                completionRoutine);
    }

    @Override
    public int WSAIoctl(long socket, int code, long in, int inLength, long out, int outLength, long bytesReturned,
            long overlapped, long completionRoutine) {
        return Ws2_32.WSAIoctl(socket, code, in, inLength, out, outLength, bytesReturned, overlapped,
                completionRoutine);
    }

    @Override
    public int WSAGetOverlappedResult(long socket, long overlapped, long transferred, int wait, long flags) {
        return Ws2_32.WSAGetOverlappedResult(socket, overlapped, transferred, wait, flags);
    }

    @Override
    public int listen(long socket, int backlog) {
        return Ws2_32.listen(socket, backlog);
    }

    @Override
    public int shutdown(long socket, int how) {
        return Ws2_32.shutdown(socket, how);
    }

    @Override
    public int getpeername(long socket, long name, long lengthPointer) {
        return Ws2_32.getpeername(socket, name, lengthPointer);
    }

    @Override
    public int WSARecv(long socket, long buffers, int bufferCount, long bytesReceived, long flags, long overlapped,
            long completionRoutine) {
        return Ws2_32.WSARecv(socket, buffers, bufferCount, bytesReceived, flags, overlapped, completionRoutine);
    }

    @Override
    public int WSASend(long socket, long buffers, int bufferCount, long bytesSent, int flags, long overlapped,
            long completionRoutine) {
        return Ws2_32.WSASend(socket, buffers, bufferCount, bytesSent, flags, overlapped, completionRoutine);
    }

    @Override
    public int ReadFile(long handle, long buffer, int length, long bytesRead, long overlapped) {
        return Kernel32Ex.ReadFile(handle, buffer, length, bytesRead, overlapped);
    }

    @Override
    public int WriteFile(long handle, long buffer, int length, long bytesWritten, long overlapped) {
        return Kernel32Ex.WriteFile(handle, buffer, length, bytesWritten, overlapped);
    }

    @Override
    public int GetOverlappedResult(long handle, long overlapped, long transferred, int wait) {
        return Kernel32Ex.GetOverlappedResult(handle, overlapped, transferred, wait);
    }

    // The extension functions exist only as pointers (WSAIoctl SIO_GET_EXTENSION_FUNCTION_POINTER):
    // JNA calls them through Function, which boxes its arguments. They start connections, not
    // datagrams, so the few allocations per call are acceptable.

    @Override
    public int AcceptEx(long function, long listenSocket, long acceptSocket, long buffer, int receiveLength,
            int localAddressLength, int remoteAddressLength, long bytesReceived, long overlapped) {
        return Function.getFunction(new Pointer(function), Function.C_CONVENTION).invokeInt(new Object[] {
            listenSocket, acceptSocket, new Pointer(buffer), receiveLength, localAddressLength, remoteAddressLength,
            new Pointer(bytesReceived), new Pointer(overlapped)});
    }

    @Override
    public int ConnectEx(long function, long socket, long name, int nameLength, long sendBuffer, int sendLength,
            long bytesSent, long overlapped) {
        return Function.getFunction(new Pointer(function), Function.C_CONVENTION).invokeInt(new Object[] {
            socket, new Pointer(name), nameLength, sendBuffer == 0 ? null : new Pointer(sendBuffer), sendLength,
            new Pointer(bytesSent), new Pointer(overlapped)});
    }

    @Override
    public int DisconnectEx(long function, long socket, long overlapped, int flags, int reserved) {
        return Function.getFunction(new Pointer(function), Function.C_CONVENTION).invokeInt(new Object[] {
            socket, new Pointer(overlapped), flags, reserved});
    }

    @Override
    public int lastError() {
        return Native.getLastError();
    }
}
