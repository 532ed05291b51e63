package dev.loopwire.loop.iocp.internal.windows;

import com.sun.jna.Native;
import java.util.Locale;

/**
 * Whether the Windows IOCP backend can run in this JVM, and if not, why.
 *
 * <p>The checks are cheap and in this order: the operating system is Windows, the JVM is 64-bit
 * (the mappings pass handles and pointers as 64-bit integers), and kernel32.dll and ws2_32.dll
 * bind to {@link Kernel32Ex} and {@link Ws2_32}. The answer is computed once, on first use.
 *
 * <p><b>Thread-safety.</b> Safe from any thread.
 */
public final class Iocp {

    private Iocp() {
    }

    private static final class Holder {
        static final String CAUSE = probe(System.getProperty("os.name", ""), Native.POINTER_SIZE);
    }

    /** Whether the IOCP backend can be used here. */
    public static boolean isAvailable() {
        return Holder.CAUSE == null;
    }

    /** Why the backend cannot be used here, or {@code null} if it can. */
    public static String unavailabilityCause() {
        return Holder.CAUSE;
    }

    /** The cause for the given platform, binding the native libraries only on 64-bit Windows. */
    static String probe(String osName, int pointerSize) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("windows")) {
            return "IOCP needs Windows; os.name is '" + osName + "'";
        }
        if (pointerSize != 8) {
            return "IOCP backend needs a 64-bit JVM; pointer size is '" + pointerSize + "' bytes";
        }
        try {
            Class.forName(Kernel32Ex.class.getName(), true, Iocp.class.getClassLoader());
            Class.forName(Ws2_32.class.getName(), true, Iocp.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "kernel32/ws2_32 could not be bound through JNA: " + e;
        }
    }
}
