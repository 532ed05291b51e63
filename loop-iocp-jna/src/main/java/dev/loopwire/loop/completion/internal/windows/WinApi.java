// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

/**
 * The kernel32 and ws2_32 calls {@link IocpDriver} makes, with the signatures of
 * {@link Kernel32Ex} and {@link Ws2_32}, plus the calling thread's last error.
 *
 * <p>It exists so that the driver's own logic (completion identity, in-flight accounting, the
 * close protocol, error translation) can be run against a simulated port on machines without
 * Windows. In production only {@link #NATIVE} is ever loaded, so the JIT binds each call
 * straight to the static native method.
 *
 * <p>Public, in an unexported package, only for the simulator module ({@code loop-iocp-sim}),
 * which reaches it with {@code --add-exports} in its build and its users' test runs.
 *
 * <p><b>Lifecycle.</b> Stateless as far as the backend is concerned; the port and the sockets it
 * names are owned by the backend that made them.
 *
 * <p><b>Thread-safety.</b> Implementations are thread-safe as the Win32 calls are.
 */
public interface WinApi {

    /** The real DLLs; using it binds them (Windows only). */
    WinApi NATIVE = new NativeWinApi();

    long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey, int concurrentThreads);

    int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved, int milliseconds,
            int alertable);

    int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped);

    int CancelIoEx(long handle, long overlapped);

    int SetFileCompletionNotificationModes(long handle, byte flags);

    int CloseHandle(long handle);

    int WSAStartup(short version, long wsaData);

    int WSACleanup();

    long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags);

    int bind(long socket, long name, int nameLength);

    int connect(long socket, long name, int nameLength);

    int setsockopt(long socket, int level, int option, long value, int length);

    int getsockopt(long socket, int level, int option, long value, long lengthPointer);

    int getsockname(long socket, long name, long lengthPointer);

    int closesocket(long socket);

    int WSARecvFrom(long socket, long buffers, int bufferCount, long bytesReceived, long flags, long from,
            long fromLength, long overlapped, long completionRoutine);

    int WSASendTo(long socket, long buffers, int bufferCount, long bytesSent, int flags, long to, int toLength,
            long overlapped, long completionRoutine);

    int WSAIoctl(long socket, int code, long in, int inLength, long out, int outLength, long bytesReturned,
            long overlapped, long completionRoutine);

    int WSAGetOverlappedResult(long socket, long overlapped, long transferred, int wait, long flags);

    int listen(long socket, int backlog);

    int shutdown(long socket, int how);

    int getpeername(long socket, long name, long lengthPointer);

    int WSARecv(long socket, long buffers, int bufferCount, long bytesReceived, long flags, long overlapped,
            long completionRoutine);

    int WSASend(long socket, long buffers, int bufferCount, long bytesSent, int flags, long overlapped,
            long completionRoutine);

    int ReadFile(long handle, long buffer, int length, long bytesRead, long overlapped);

    int WriteFile(long handle, long buffer, int length, long bytesWritten, long overlapped);

    int GetOverlappedResult(long handle, long overlapped, long transferred, int wait);

    /** Calls the {@code AcceptEx} at {@code function} (loaded with {@code WSAIoctl}); returns its BOOL. */
    int AcceptEx(long function, long listenSocket, long acceptSocket, long buffer, int receiveLength,
            int localAddressLength, int remoteAddressLength, long bytesReceived, long overlapped);

    /** Calls the {@code ConnectEx} at {@code function}; returns its BOOL. */
    int ConnectEx(long function, long socket, long name, int nameLength, long sendBuffer, int sendLength,
            long bytesSent, long overlapped);

    /** Calls the {@code DisconnectEx} at {@code function}; returns its BOOL. */
    int DisconnectEx(long function, long socket, long overlapped, int flags, int reserved);

    /** The last error of the calling thread's previous call through this API. */
    int lastError();
}
