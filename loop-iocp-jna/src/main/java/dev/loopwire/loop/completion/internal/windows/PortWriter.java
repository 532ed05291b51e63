// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpSubmission;
import dev.loopwire.loop.NativeBlock;
import java.nio.ByteBuffer;

/**
 * The loop's one reusable {@link IocpSubmission}: arguments are kept in Java until
 * {@link #submit()}, which checks them, takes an {@code OVERLAPPED} slot, pins the memory named
 * and makes the one call that starts the operation. Nothing is allocated on the way, except by
 * JNA for the three extension functions.
 *
 * <p>Loop thread only.
 */
final class PortWriter implements IocpSubmission {

    private static final long NOT_SET = -1;
    /** {@code ERROR_GEN_FAILURE}: stands for a refusal that left no last error. */
    private static final int ERROR_GEN_FAILURE = 31;
    /** {@code sizeof(sockaddr_in) + 16}: the least AcceptEx accepts per address. */
    private static final int MIN_ACCEPT_ADDRESS_LENGTH = 32;

    private final LoopIocpPort port;
    private PortRegistration registration;
    private IocpFunction function;
    private boolean active;
    private Object buffer;
    private long bufferAddress;
    private int bufferLength;
    private int wsabufCount;
    private Object address;
    private long addressAddress;
    private int addressLength;
    private int flags;
    private long position;
    private long acceptSocket;
    private int localLength;
    private int remoteLength;
    private long tag;

    PortWriter(LoopIocpPort port) {
        this.port = port;
    }

    PortWriter start(PortRegistration registration, IocpFunction function) {
        this.registration = registration;
        this.function = function;
        buffer = null;
        bufferAddress = 0;
        bufferLength = 0;
        wsabufCount = 0;
        address = null;
        addressAddress = 0;
        addressLength = 0;
        flags = 0;
        position = 0;
        acceptSocket = NOT_SET;
        localLength = IocpPort.ACCEPT_ADDRESS_LENGTH;
        remoteLength = IocpPort.ACCEPT_ADDRESS_LENGTH;
        tag = 0;
        active = true;
        return this;
    }

    private void checkActive() {
        if (!active) {
            throw new IllegalStateException("This IocpSubmission was already submitted or abandoned; "
                    + "start each operation with IocpRegistration.prepare(function)");
        }
        port.checkThread("IocpSubmission");
    }

    @Override
    public IocpSubmission buffer(ByteBuffer direct) {
        checkActive();
        LoopIocpPort.checkDirect(direct, "the buffer of " + function);
        checkWritable(direct);
        buffer = direct;
        bufferAddress = port.address(direct);
        bufferLength = direct.remaining();
        wsabufCount = 0;
        return this;
    }

    @Override
    public IocpSubmission buffer(NativeBlock block, int offset, int length) {
        checkActive();
        IocpBlock b = memoryBlock(block, offset, length, "the buffer");
        buffer = b;
        bufferAddress = b.address + offset;
        bufferLength = length;
        wsabufCount = 0;
        return this;
    }

    @Override
    public IocpSubmission wsabufs(NativeBlock block, int offset, int count) {
        checkActive();
        if (!isWsa(function)) {
            throw new IllegalArgumentException("wsabufs given to " + function + ", which takes one buffer; use buffer(...) "
                    + "(WSABUF arrays go with WSA_RECV, WSA_SEND, WSA_RECV_FROM and WSA_SEND_TO)");
        }
        if (count < 1) {
            throw new IllegalArgumentException("WSABUF count '" + count + "' is not positive; name at least one");
        }
        IocpBlock b = memoryBlock(block, offset, (long) count * WinLayout.WSABUF_SIZE, "the WSABUF array");
        buffer = b;
        bufferAddress = b.address + offset;
        bufferLength = 0;
        wsabufCount = count;
        return this;
    }

    @Override
    public IocpSubmission address(NativeBlock block, int offset, int length) {
        checkActive();
        IocpBlock b = memoryBlock(block, offset, length, "the address");
        address = b;
        addressAddress = b.address + offset;
        addressLength = length;
        return this;
    }

    @Override
    public IocpSubmission address(ByteBuffer direct) {
        checkActive();
        LoopIocpPort.checkDirect(direct, "the address of " + function);
        if (function == IocpFunction.WSA_RECV_FROM) {
            checkWritable(direct);
        }
        address = direct;
        addressAddress = port.address(direct);
        addressLength = direct.remaining();
        return this;
    }

    @Override
    public IocpSubmission flags(int value) {
        checkActive();
        flags = value;
        return this;
    }

    @Override
    public IocpSubmission offset(long value) {
        checkActive();
        if (value < 0) {
            throw new IllegalArgumentException("File offset '" + value + "' is negative; use 0 or more");
        }
        position = value;
        return this;
    }

    @Override
    public IocpSubmission acceptSocket(long socket) {
        checkActive();
        if (socket == 0 || socket == NOT_SET) {
            throw new IllegalArgumentException("Accept socket '" + socket + "' is not a socket; pass one made by "
                    + "WinsockCalls.socket(...) for the listener's family");
        }
        acceptSocket = socket;
        return this;
    }

    @Override
    public IocpSubmission addressLengths(int local, int remote) {
        checkActive();
        if (local < MIN_ACCEPT_ADDRESS_LENGTH || remote < MIN_ACCEPT_ADDRESS_LENGTH) {
            throw new IllegalArgumentException("AcceptEx address lengths '" + local + "' and '" + remote + "' must each "
                    + "be at least " + MIN_ACCEPT_ADDRESS_LENGTH + " (the sockaddr plus 16); use "
                    + IocpPort.ACCEPT_ADDRESS_LENGTH + " for IPv4 and IPv6");
        }
        localLength = local;
        remoteLength = remote;
        return this;
    }

    @Override
    public IocpSubmission tag(long value) {
        checkActive();
        tag = value;
        return this;
    }

    private void checkWritable(ByteBuffer direct) {
        if (direct.isReadOnly() && function.writesBuffer()) {
            throw new IllegalArgumentException("Read-only buffer '" + direct + "' given as memory " + function
                    + " writes into; pass a writable direct buffer");
        }
    }

    private IocpBlock memoryBlock(NativeBlock block, int offset, long length, String use) {
        IocpBlock b = port.checkBlock(block, use + " of " + function);
        b.checkOpen(use + " of " + function);
        if (offset < 0 || length < 0 || offset + length > b.size()) {
            throw new IndexOutOfBoundsException("Range at offset '" + offset + "' of " + length + " bytes is outside the "
                    + b.size() + "-byte block named as " + use + " of " + function + "; keep offset + length within "
                    + b.size());
        }
        return b;
    }

    private static boolean isWsa(IocpFunction function) {
        return function == IocpFunction.WSA_RECV || function == IocpFunction.WSA_SEND
                || function == IocpFunction.WSA_RECV_FROM || function == IocpFunction.WSA_SEND_TO;
    }

    @Override
    public long submit() {
        checkActive();
        registration.checkSubmittable(function);
        check();
        active = false;
        PortOp op = port.begin(registration, function, tag, pin(buffer), pin(address));
        port.started(op, call(op));
        return op.id;
    }

    /** The checks that need every argument: done before anything is taken. */
    private void check() {
        checkOpen(buffer, "the buffer");
        checkOpen(address, "the address");
        switch (function) {
            case WSA_RECV:
            case WSA_SEND:
            case WSA_SEND_TO:
            case READ_FILE:
            case WRITE_FILE:
                require(buffer != null, "a buffer", "buffer(direct) or buffer(block, offset, length)");
                break;
            case WSA_RECV_FROM:
                require(buffer != null, "a buffer", "buffer(direct) or buffer(block, offset, length)");
                require(address != null, "an address to write the sender into",
                        "address(block, 0, IocpPort.SOCKADDR_STORAGE_SIZE)");
                break;
            case ACCEPT_EX:
                require(acceptSocket != NOT_SET, "an accept socket", "acceptSocket(winsock.socket(...))");
                require(buffer != null, "a buffer for the addresses", "buffer(block, 0, 2 * "
                        + IocpPort.ACCEPT_ADDRESS_LENGTH + ")");
                long needed = (long) localLength + remoteLength; // two absurd lengths must not wrap around
                if (bufferLength < needed) {
                    throw new IllegalArgumentException("AcceptEx buffer of '" + bufferLength + "' bytes has no room for "
                            + "both addresses (" + localLength + " + " + remoteLength + "); give at least " + needed
                            + " bytes");
                }
                break;
            case CONNECT_EX:
                require(address != null, "the peer's address", "address(block, 0, winsock.encode(peer, ipv6, view))");
                break;
            default:
                break;
        }
    }

    private void require(boolean present, String what, String remedy) {
        if (!present) {
            throw new IllegalArgumentException(function + " needs " + what + "; set it with " + remedy);
        }
    }

    private void checkOpen(Object memory, String use) {
        if (memory instanceof IocpBlock) {
            ((IocpBlock) memory).checkOpen(use + " of " + function);
        }
    }

    private static Object pin(Object memory) {
        if (memory instanceof IocpBlock) {
            ((IocpBlock) memory).pin();
        }
        return memory;
    }

    /**
     * Fills the slot and makes the call.
     *
     * @return 0 if the operation started (pending or finished at once: either way a completion
     *     packet follows), else the error that refused it
     */
    private int call(PortOp op) {
        WinApi api = port.api();
        ByteBuffer slot = op.slot;
        int base = op.offset;
        long a = op.address;
        long h = registration.handle;
        long buffers = bufferAddress;
        int count = wsabufCount;
        if (count == 0) { // one buffer: the slot's own WSABUF
            slot.putInt(base + PortOp.WSABUF + WinLayout.WSABUF_LEN, bufferLength);
            slot.putLong(base + PortOp.WSABUF + WinLayout.WSABUF_BUF, bufferAddress);
            buffers = a + PortOp.WSABUF;
            count = 1;
        }
        slot.putInt(base + PortOp.FLAGS, flags);
        slot.putInt(base + PortOp.ADDRESS_LENGTH, addressLength);
        slot.putInt(base + WinLayout.OVERLAPPED_OFFSET, (int) position);
        slot.putInt(base + WinLayout.OVERLAPPED_OFFSET_HIGH, (int) (position >>> 32));
        // Byte-count out-parameters are NULL where the documentation allows it: with an
        // OVERLAPPED the count comes with the completion.
        switch (function) {
            case WSA_RECV:
                return winsock(api, api.WSARecv(h, buffers, count, 0, a + PortOp.FLAGS, a, 0));
            case WSA_SEND:
                return winsock(api, api.WSASend(h, buffers, count, 0, flags, a, 0));
            case WSA_RECV_FROM:
                return winsock(api, api.WSARecvFrom(h, buffers, count, 0, a + PortOp.FLAGS, addressAddress,
                        a + PortOp.ADDRESS_LENGTH, a, 0));
            case WSA_SEND_TO:
                return winsock(api, api.WSASendTo(h, buffers, count, 0, flags, addressAddress, addressLength, a, 0));
            case READ_FILE:
                return bool(api, api.ReadFile(h, bufferAddress, bufferLength, 0, a));
            case WRITE_FILE:
                return bool(api, api.WriteFile(h, bufferAddress, bufferLength, 0, a));
            case ACCEPT_EX: {
                long fn = port.extensions().load(registration, ExtensionFunctions.ACCEPT_EX);
                if (fn == 0) {
                    return port.extensions().error();
                }
                return bool(api, api.AcceptEx(fn, h, acceptSocket, bufferAddress,
                        bufferLength - localLength - remoteLength, localLength, remoteLength, a + PortOp.BYTES, a));
            }
            case CONNECT_EX: {
                long fn = port.extensions().load(registration, ExtensionFunctions.CONNECT_EX);
                if (fn == 0) {
                    return port.extensions().error();
                }
                return bool(api, api.ConnectEx(fn, h, addressAddress, addressLength, buffer == null ? 0 : bufferAddress,
                        buffer == null ? 0 : bufferLength, a + PortOp.BYTES, a));
            }
            case DISCONNECT_EX: {
                long fn = port.extensions().load(registration, ExtensionFunctions.DISCONNECT_EX);
                if (fn == 0) {
                    return port.extensions().error();
                }
                return bool(api, api.DisconnectEx(fn, h, a, flags, 0));
            }
            default:
                throw new AssertionError(function);
        }
    }

    /** A Winsock return: 0 started; SOCKET_ERROR with WSA_IO_PENDING started; else refused. */
    private static int winsock(WinApi api, int result) {
        if (result == 0) {
            return 0;
        }
        return refusal(api.lastError());
    }

    /** A BOOL return: TRUE started; FALSE with ERROR_IO_PENDING started; else refused. */
    private static int bool(WinApi api, int result) {
        if (result != 0) {
            return 0;
        }
        return refusal(api.lastError());
    }

    /** 0 for WSA_IO_PENDING (started), else the error; a failure without a last error still counts as one. */
    private static int refusal(int error) {
        if (error == WinsockErrors.ERROR_IO_PENDING) {
            return 0;
        }
        return error != 0 ? error : ERROR_GEN_FAILURE;
    }
}
