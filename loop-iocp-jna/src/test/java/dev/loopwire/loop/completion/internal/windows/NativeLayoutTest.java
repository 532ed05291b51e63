// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import org.junit.jupiter.api.Test;

/**
 * Recomputes {@link WinLayout}'s hand-written offsets from JNA structures declared field by field
 * after the Windows SDK headers. JNA applies the C alignment rules of the host; for these
 * structures (no C {@code long}, whose size differs between LP64 and LLP64) the x86_64 Linux
 * layout equals the Win64 one, so this check is meaningful here.
 */
class NativeLayoutTest {

    /** A structure that tells its field offsets. */
    public abstract static class Inspectable extends Structure {
        int offsetOf(String field) {
            return fieldOffset(field);
        }

        java.util.List<String> fields() {
            return getFieldOrder();
        }
    }

    @FieldOrder({"Internal", "InternalHigh", "Offset", "OffsetHigh", "hEvent"})
    public static class Overlapped extends Inspectable {
        public Pointer Internal;
        public Pointer InternalHigh;
        public int Offset;
        public int OffsetHigh;
        public Pointer hEvent;
    }

    @FieldOrder({"lpCompletionKey", "lpOverlapped", "Internal", "dwNumberOfBytesTransferred"})
    public static class OverlappedEntry extends Inspectable {
        public Pointer lpCompletionKey;
        public Pointer lpOverlapped;
        public Pointer Internal;
        public int dwNumberOfBytesTransferred;
    }

    @FieldOrder({"len", "buf"})
    public static class WsaBuf extends Inspectable {
        public int len;
        public Pointer buf;
    }

    @FieldOrder({"sin_family", "sin_port", "sin_addr", "sin_zero"})
    public static class SockaddrIn extends Inspectable {
        public short sin_family;
        public short sin_port;
        public int sin_addr;
        public byte[] sin_zero = new byte[8];
    }

    @FieldOrder({"sin6_family", "sin6_port", "sin6_flowinfo", "sin6_addr", "sin6_scope_id"})
    public static class SockaddrIn6 extends Inspectable {
        public short sin6_family;
        public short sin6_port;
        public int sin6_flowinfo;
        public byte[] sin6_addr = new byte[16];
        public int sin6_scope_id;
    }

    @Test
    void overlapped() {
        Overlapped s = new Overlapped();
        assertThat(s.fields(), contains("Internal", "InternalHigh", "Offset", "OffsetHigh", "hEvent"));
        assertThat(s.offsetOf("Internal"), is(WinLayout.OVERLAPPED_INTERNAL));
        assertThat(s.offsetOf("InternalHigh"), is(WinLayout.OVERLAPPED_INTERNAL_HIGH));
        assertThat(s.offsetOf("Offset"), is(WinLayout.OVERLAPPED_OFFSET));
        assertThat(s.offsetOf("OffsetHigh"), is(WinLayout.OVERLAPPED_OFFSET_HIGH));
        assertThat(s.offsetOf("hEvent"), is(WinLayout.OVERLAPPED_EVENT));
        assertThat(s.size(), is(WinLayout.OVERLAPPED_SIZE));
    }

    @Test
    void overlappedEntry() {
        OverlappedEntry s = new OverlappedEntry();
        assertThat(s.fields(),
                contains("lpCompletionKey", "lpOverlapped", "Internal", "dwNumberOfBytesTransferred"));
        assertThat(s.offsetOf("lpCompletionKey"), is(WinLayout.ENTRY_KEY));
        assertThat(s.offsetOf("lpOverlapped"), is(WinLayout.ENTRY_OVERLAPPED));
        assertThat(s.offsetOf("Internal"), is(WinLayout.ENTRY_INTERNAL));
        assertThat(s.offsetOf("dwNumberOfBytesTransferred"), is(WinLayout.ENTRY_BYTES));
        assertThat(s.size(), is(WinLayout.ENTRY_SIZE));
    }

    @Test
    void wsaBuf() {
        WsaBuf s = new WsaBuf();
        assertThat(s.fields(), contains("len", "buf"));
        assertThat(s.offsetOf("len"), is(WinLayout.WSABUF_LEN));
        assertThat(s.offsetOf("buf"), is(WinLayout.WSABUF_BUF));
        assertThat(s.size(), is(WinLayout.WSABUF_SIZE));
    }

    @Test
    void sockaddrIn() {
        SockaddrIn s = new SockaddrIn();
        assertThat(s.offsetOf("sin_family"), is(WinLayout.SIN_FAMILY));
        assertThat(s.offsetOf("sin_port"), is(WinLayout.SIN_PORT));
        assertThat(s.offsetOf("sin_addr"), is(WinLayout.SIN_ADDR));
        assertThat(s.size(), is(WinLayout.SOCKADDR_IN_SIZE));
    }

    @Test
    void sockaddrIn6() {
        SockaddrIn6 s = new SockaddrIn6();
        assertThat(s.offsetOf("sin6_family"), is(WinLayout.SIN6_FAMILY));
        assertThat(s.offsetOf("sin6_port"), is(WinLayout.SIN6_PORT));
        assertThat(s.offsetOf("sin6_flowinfo"), is(WinLayout.SIN6_FLOWINFO));
        assertThat(s.offsetOf("sin6_addr"), is(WinLayout.SIN6_ADDR));
        assertThat(s.offsetOf("sin6_scope_id"), is(WinLayout.SIN6_SCOPE_ID));
        assertThat(s.size(), is(WinLayout.SOCKADDR_IN6_SIZE));
    }

    @Test
    void operationControlBlockHoldsEveryPartWithoutOverlap() {
        assertThat(WinLayout.OP_OVERLAPPED, is(0));
        assertThat(WinLayout.OP_WSABUF >= WinLayout.OVERLAPPED_SIZE, is(true));
        assertThat(WinLayout.OP_FLAGS >= WinLayout.OP_WSABUF + WinLayout.WSABUF_SIZE, is(true));
        assertThat(WinLayout.OP_ADDRESS_LENGTH >= WinLayout.OP_FLAGS + 4, is(true));
        assertThat(WinLayout.OP_ADDRESS >= WinLayout.OP_ADDRESS_LENGTH + 4, is(true));
        assertThat(WinLayout.OP_ADDRESS % 8, is(0));
        assertThat(WinLayout.OP_SIZE >= WinLayout.OP_ADDRESS + WinLayout.SOCKADDR_STORAGE_SIZE, is(true));
        // Consecutive slots keep every OVERLAPPED 8-byte aligned.
        assertThat(WinLayout.OP_SIZE % 8, is(0));
    }
}
