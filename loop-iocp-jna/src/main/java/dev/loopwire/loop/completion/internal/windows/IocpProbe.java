// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import com.sun.jna.Native;
import dev.loopwire.loop.Availability;
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
public final class IocpProbe {

    private IocpProbe() {
    }

    private static final class Holder {
        static final Availability AVAILABILITY = availability(probe(System.getProperty("os.name", ""),
                Native.POINTER_SIZE));
    }

    /** The answer, with the reason when unavailable. */
    public static Availability availability() {
        return Holder.AVAILABILITY;
    }

    private static Availability availability(String cause) {
        return cause == null ? Availability.available() : Availability.unavailable(cause);
    }

    /** The reason for the given platform, or {@code null}; binds the libraries only on 64-bit Windows. */
    static String probe(String osName, int pointerSize) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("windows")) {
            return "IOCP needs Windows; os.name is '" + osName + "'";
        }
        if (pointerSize != 8) {
            return "IOCP backend needs a 64-bit JVM; pointer size is '" + pointerSize + "' bytes";
        }
        try {
            Class.forName(Kernel32Ex.class.getName(), true, IocpProbe.class.getClassLoader());
            Class.forName(Ws2_32.class.getName(), true, IocpProbe.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "kernel32/ws2_32 could not be bound through JNA: " + e;
        }
    }
}
