// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import com.sun.jna.Native;

/**
 * Direct JNA mappings of the kernel32 completion-port calls the IOCP backend uses.
 *
 * <p>Direct mapping (static {@code native} methods bound by {@link Native#register}) costs about
 * a third of an interface mapping per call (80 ns against 220 ns on the project's machines), and
 * this class sits on the per-completion path. Every handle and pointer is passed as a
 * {@code long} holding the raw address: no {@code Pointer} or {@code HANDLE} object is created
 * per call, and the caller keeps the native memory alive. That is only correct on 64-bit
 * Windows, where {@code HANDLE}, {@code ULONG_PTR} and pointers are 8 bytes and there is a single
 * calling convention; {@link IocpProbe#availability()} refuses anything else.
 *
 * <p>jna-platform's {@code Kernel32} has {@code CreateIoCompletionPort} and
 * {@code PostQueuedCompletionStatus} but not {@code GetQueuedCompletionStatusEx},
 * {@code CancelIoEx} or {@code SetFileCompletionNotificationModes}; they are all mapped here so
 * one handle representation is used throughout.
 *
 * <p><b>Lifecycle.</b> Loading the class binds the methods to kernel32.dll and fails with a
 * {@link LinkageError} anywhere else; load it with {@code initialize=false} to inspect it.
 *
 * <p><b>Thread-safety.</b> Stateless; the Win32 calls are thread-safe. The last error is read with
 * {@link Native#getLastError()}, which JNA captures right after each call on the calling thread.
 */
final class Kernel32Ex {

    static {
        Native.register(Kernel32Ex.class, "kernel32");
    }

    private Kernel32Ex() {
    }

    /** {@code INVALID_HANDLE_VALUE}, as passed to create a port not yet tied to a handle. */
    static final long INVALID_HANDLE_VALUE = -1L;
    /** {@code WAIT_TIMEOUT}: GetQueuedCompletionStatusEx timed out without a completion. */
    static final int WAIT_TIMEOUT = 258;
    /** {@code ERROR_NOT_FOUND}: CancelIoEx found nothing to cancel. */
    static final int ERROR_NOT_FOUND = 1168;
    /** {@code FILE_SKIP_SET_EVENT_ON_HANDLE}: do not signal the handle itself on completion. */
    static final byte FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;
    /** {@code INFINITE} for dwMilliseconds. */
    static final int INFINITE = -1;

    /**
     * {@code HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
     * ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads)}; returns 0 (NULL) on failure.
     */
    static native long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey,
            int concurrentThreads);

    /**
     * {@code BOOL GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY
     * lpCompletionPortEntries, ULONG ulCount, PULONG ulNumEntriesRemoved, DWORD dwMilliseconds,
     * BOOL fAlertable)}; FALSE with {@link #WAIT_TIMEOUT} when nothing arrived in time.
     */
    static native int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved,
            int milliseconds, int alertable);

    /**
     * {@code BOOL PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD
     * dwNumberOfBytesTransferred, ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped)}.
     */
    static native int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped);

    /** {@code BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)}; NULL cancels all the process's I/O on it. */
    static native int CancelIoEx(long handle, long overlapped);

    /** {@code BOOL SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags)}. */
    static native int SetFileCompletionNotificationModes(long handle, byte flags);

    /** {@code BOOL CloseHandle(HANDLE hObject)}. */
    static native int CloseHandle(long handle);

    /**
     * {@code BOOL ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, LPDWORD
     * lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped)}.
     */
    static native int ReadFile(long handle, long buffer, int length, long bytesRead, long overlapped);

    /**
     * {@code BOOL WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite, LPDWORD
     * lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped)}.
     */
    static native int WriteFile(long handle, long buffer, int length, long bytesWritten, long overlapped);

    /**
     * {@code BOOL GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped, LPDWORD
     * lpNumberOfBytesTransferred, BOOL bWait)}: a completed request's Win32 error (FALSE, then the
     * last error).
     */
    static native int GetOverlappedResult(long handle, long overlapped, long transferred, int wait);
}
