// SPDX-License-Identifier: Apache-2.0
/**
 * The Windows IOCP backend of the completion loop: JNA mappings of kernel32 and ws2_32,
 * {@link dev.loopwire.loop.completion.internal.windows.IocpDriver}, which owns one I/O completion port
 * and the overlapped UDP sockets posted to it, and
 * {@link dev.loopwire.loop.completion.internal.windows.IocpBackend}, the
 * {@link dev.loopwire.loop.completion.internal.CompletionBackend} built on it, which also offers the raw
 * {@link dev.loopwire.loop.IocpPort} ({@code LoopIocpPort}: {@code PortRegistration},
 * {@code PortWriter}, {@code PortOp}/{@code PortSlots}, {@code PortCompletion}, {@code IocpBlock},
 * {@code ExtensionFunctions}, {@code Winsock}, {@code IocpErrors}). The raw port's completion keys start at
 * {@code LoopIocpPort.KEY_BASE}, far above the datagram sockets' keys, and the driver hands them
 * over to it; its decisions are in the module README ("IOCP for transport authors").
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>Direct mapping, raw addresses.</b> {@code Kernel32Ex} and {@code Ws2_32} are JNA direct
 *   mappings whose handles and pointers are {@code long}s: about 80 ns a call instead of about
 *   220 ns for an interface mapping (measured on Linux, see the project's native-facts notes), and
 *   no {@code Pointer}/{@code HANDLE}/{@code Structure} object per datagram. It ties the backend
 *   to 64-bit Windows, which {@link dev.loopwire.loop.completion.internal.windows.IocpProbe} checks.</li>
 *   <li><b>No JNA structures on the hot path.</b> {@code OVERLAPPED}, {@code WSABUF}, flags and
 *   sockaddr live at fixed offsets ({@code WinLayout}) in one native block per socket, written
 *   through a little-endian {@code ByteBuffer} view. Tests recompute each offset from JNA
 *   structures declared after the SDK headers.</li>
 *   <li><b>Completion identity without lookup tables.</b> The completion key is the socket's
 *   index in the driver; the {@code OVERLAPPED} address minus the socket's block address,
 *   divided by the slot size, is the operation's index.</li>
 *   <li><b>Errors only when needed.</b> {@code OVERLAPPED.Internal} is 0 for a successful
 *   request; only otherwise does the driver call {@code WSAGetOverlappedResult} for the Winsock
 *   error. Last errors are read with {@code Native.getLastError()}, which JNA captures right
 *   after the call.</li>
 *   <li><b>One completion path.</b> {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS} is not set:
 *   Microsoft documents it as unsafe for sockets behind non-IFS layered providers, and without
 *   it every started operation (immediate success included) completes through the port. Only
 *   {@code FILE_SKIP_SET_EVENT_ON_HANDLE} is set.</li>
 *   <li><b>ICMP port-unreachable is not reported.</b> {@code SIO_UDP_CONNRESET} is switched off,
 *   as the JDK does for its datagram channels on Windows, so an earlier send to a dead port does
 *   not fail the receive that happens to be pending.</li>
 *   <li><b>Dual-stack IPv6.</b> Windows defaults {@code IPV6_V6ONLY} to on; IPv6 sockets switch it
 *   off and IPv4 targets are written as IPv4-mapped addresses.</li>
 *   <li><b>Memory is freed only after the kernel lets go.</b> Closing a socket cancels its
 *   operations ({@code CancelIoEx}); the handle is closed and the block freed only when every
 *   operation has completed. If the system never completes one before the driver closes, that
 *   memory is leaked on purpose and logged.</li>
 *   <li><b>Backend shape.</b> Eight receives stay posted per socket (IOCP has no multishot
 *   receive) and up to 64 sends are in flight, with buffers allocated on first use. Receives
 *   start once the socket has an address, because Winsock fails {@code WSARecvFrom} on an
 *   unbound socket where Linux waits. A call Winsock refuses at once is reported to the listener
 *   on the next loop turn, never from inside the caller's own call.</li>
 * </ul>
 *
 * <h2>What is verified how</h2>
 * Run on Linux: error mapping, sockaddr encoding, structure offsets, mapping signatures, the JNA
 * mechanisms (direct mapping in this named module, raw addresses, last-error capture, checked
 * with libc), and the driver's, backend's and raw port's Java logic against {@code SimulatedWinApi}
 * (with {@code SimulatedOverlapped} for the stream, file and extension functions), a model
 * of the documented completion-port contract. The Win32/Winsock behaviour itself (return
 * conventions, completion semantics, error codes, option values) is implemented from
 * Microsoft's documentation only; {@code IocpDriverWindowsTest}, {@code
 * IocpBackendWindowsTest} and {@code IocpPortWindowsTest} exercise it and run only on Windows.
 */
package dev.loopwire.loop.completion.internal.windows;
