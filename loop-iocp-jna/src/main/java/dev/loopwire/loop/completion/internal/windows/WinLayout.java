// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

/**
 * Byte offsets and sizes of the Win64 structures the IOCP backend writes into raw native memory,
 * and the layout of one operation's control block.
 *
 * <p>Raw offsets replace JNA {@code Structure}s on the per-datagram path: a {@code Structure}
 * reads and writes its fields by reflection on every call, these are plain {@code ByteBuffer}
 * accesses. The values follow the Windows SDK headers ({@code minwinbase.h},
 * {@code ws2def.h}, {@code ws2ipdef.h}) for x64 and
 * ARM64, where pointers and {@code ULONG_PTR} are 8 bytes and {@code ULONG}/{@code DWORD} are 4;
 * {@code NativeLayoutTest} recomputes them from JNA structures declared field by field.
 *
 * <p><b>Thread-safety.</b> Constants only.
 */
final class WinLayout {

    private WinLayout() {
    }

    // OVERLAPPED { ULONG_PTR Internal; ULONG_PTR InternalHigh; union { struct { DWORD Offset;
    // DWORD OffsetHigh; }; PVOID Pointer; }; HANDLE hEvent; }
    static final int OVERLAPPED_INTERNAL = 0;
    static final int OVERLAPPED_INTERNAL_HIGH = 8;
    static final int OVERLAPPED_OFFSET = 16;
    static final int OVERLAPPED_OFFSET_HIGH = 20;
    static final int OVERLAPPED_EVENT = 24;
    static final int OVERLAPPED_SIZE = 32;

    // OVERLAPPED_ENTRY { ULONG_PTR lpCompletionKey; LPOVERLAPPED lpOverlapped; ULONG_PTR Internal;
    // DWORD dwNumberOfBytesTransferred; } padded to 8.
    static final int ENTRY_KEY = 0;
    static final int ENTRY_OVERLAPPED = 8;
    static final int ENTRY_INTERNAL = 16;
    static final int ENTRY_BYTES = 24;
    static final int ENTRY_SIZE = 32;

    // WSABUF { ULONG len; CHAR *buf; }
    static final int WSABUF_LEN = 0;
    static final int WSABUF_BUF = 8;
    static final int WSABUF_SIZE = 16;

    // sockaddr_in { ADDRESS_FAMILY sin_family; USHORT sin_port; IN_ADDR sin_addr; CHAR sin_zero[8]; }
    static final int SIN_FAMILY = 0;
    static final int SIN_PORT = 2;
    static final int SIN_ADDR = 4;
    static final int SOCKADDR_IN_SIZE = 16;

    // sockaddr_in6 { ADDRESS_FAMILY sin6_family; USHORT sin6_port; ULONG sin6_flowinfo;
    // IN6_ADDR sin6_addr; union { ULONG sin6_scope_id; SCOPE_ID sin6_scope_struct; }; }
    static final int SIN6_FAMILY = 0;
    static final int SIN6_PORT = 2;
    static final int SIN6_FLOWINFO = 4;
    static final int SIN6_ADDR = 8;
    static final int SIN6_SCOPE_ID = 24;
    static final int SOCKADDR_IN6_SIZE = 28;

    /** {@code sizeof(SOCKADDR_STORAGE)}. */
    static final int SOCKADDR_STORAGE_SIZE = 128;

    // One operation's control block, all of which Winsock may read or write until the operation
    // completes, hence kept together in memory the socket owns:
    // [0, 32) OVERLAPPED (must stay first: its address identifies the operation)
    // [32, 48) WSABUF
    // [48, 52) DWORD flags (in/out for WSARecvFrom)
    // [52, 56) INT from-length (in/out for WSARecvFrom)
    // [64, 192) SOCKADDR_STORAGE: sender of a receive, target of a send
    static final int OP_OVERLAPPED = 0;
    static final int OP_WSABUF = 32;
    static final int OP_FLAGS = 48;
    static final int OP_ADDRESS_LENGTH = 52;
    static final int OP_ADDRESS = 64;
    static final int OP_SIZE = 192;
}
