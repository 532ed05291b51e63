// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Proves on Linux the JNA mechanisms {@link Kernel32Ex} and {@link Ws2_32} rely on, using libc in
 * place of the Windows DLLs: direct mapping of a package-private class inside this named module,
 * raw addresses passed as {@code long}, and {@link Native#getLastError()} holding the error of the
 * last call without {@code LastErrorException}.
 */
@EnabledOnOs(OS.LINUX)
class DirectMappingMechanismTest {

    static final class Libc {
        static {
            Native.register(Libc.class, "c");
        }

        static native long strlen(long string);

        static native int close(int fd);

        static native long memset(long destination, int value, long count);
    }

    @Test
    void rawAddressesPassAsLongs() {
        try (Memory memory = new Memory(16)) {
            memory.setString(0, "loopwire", "US-ASCII");
            assertThat(Libc.strlen(Pointer.nativeValue(memory)), is(8L));
            ByteBuffer direct = ByteBuffer.allocateDirect(8);
            Libc.memset(Pointer.nativeValue(Native.getDirectBufferPointer(direct)), 0x5a, 8);
            assertThat(direct.get(7), is((byte) 0x5a));
        }
    }

    @Test
    void lastErrorIsCapturedAfterADirectCall() {
        assertThat(Libc.close(-1), is(-1));
        assertThat(Native.getLastError(), is(9)); // EBADF
    }
}
