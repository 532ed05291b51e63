// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Loads the Winsock extension functions {@code AcceptEx}, {@code ConnectEx} and
 * {@code DisconnectEx} for a registration's socket with {@code WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)}
 * and caches them on the registration. Microsoft requires the pointers to be obtained at run time,
 * and they belong to the socket's provider, so they are loaded from the socket they are used on
 * (once per registration), not once per process.
 *
 * <p>Loop thread only (one scratch block).
 */
final class ExtensionFunctions {

    static final int ACCEPT_EX = 0;
    static final int CONNECT_EX = 1;
    static final int DISCONNECT_EX = 2;

    private static final System.Logger LOG = System.getLogger(ExtensionFunctions.class.getName());
    /** WSAID_ACCEPTEX, WSAID_CONNECTEX, WSAID_DISCONNECTEX (mswsock.h), as GUID bytes. */
    private static final byte[][] GUIDS = {
        guid(0xb5367df1, 0xcbac, 0x11cf, 0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92),
        guid(0x25a207b9, 0xddf3, 0x4660, 0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e),
        guid(0x7fda2e11, 0x8630, 0x436f, 0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57),
    };
    private static final String[] NAMES = {"AcceptEx", "ConnectEx", "DisconnectEx"};

    // Scratch block: the GUID in, the pointer out, the byte count WSAIoctl writes.
    private static final int S_GUID = 0;
    private static final int S_POINTER = 16;
    private static final int S_RETURNED = 24;

    private final WinApi api;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(32).order(ByteOrder.LITTLE_ENDIAN);
    private final long scratchAddress = LoopIocpPort.baseAddress(scratch);
    private int error;

    ExtensionFunctions(WinApi api) {
        this.api = api;
    }

    /** The function {@code which} for {@code registration}'s socket, or 0 if it could not be loaded ({@link #error()}). */
    long load(PortRegistration registration, int which) {
        long fn = registration.extensions[which];
        if (fn != 0) {
            return fn;
        }
        scratch.put(S_GUID, GUIDS[which]);
        scratch.putLong(S_POINTER, 0);
        if (api.WSAIoctl(registration.handle, Ws2_32.SIO_GET_EXTENSION_FUNCTION_POINTER, scratchAddress + S_GUID, 16,
                scratchAddress + S_POINTER, 8, scratchAddress + S_RETURNED, 0, 0) != 0) {
            error = LoopIocpPort.nonZero(api.lastError());
            LOG.log(System.Logger.Level.DEBUG, "Loading {0} for {1} failed: {2}", NAMES[which], registration,
                    IocpErrors.describe(error));
            return 0;
        }
        fn = scratch.getLong(S_POINTER);
        registration.extensions[which] = fn;
        return fn;
    }

    /** Why the last {@link #load} returned 0. */
    int error() {
        return error;
    }

    private static byte[] guid(int data1, int data2, int data3, int... data4) {
        ByteBuffer out = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(data1).putShort((short) data2).putShort((short) data3);
        for (int b : data4) {
            out.put((byte) b);
        }
        return out.array();
    }
}
