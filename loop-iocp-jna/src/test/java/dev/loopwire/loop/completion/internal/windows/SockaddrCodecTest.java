// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.jna.Memory;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SockaddrCodecTest {

    private static byte[] bytes(ByteBuffer b, int offset, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = b.get(offset + i);
        }
        return out;
    }

    private static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void ipv4IsSockaddrInWithFamily2AndPortInNetworkOrder() throws Exception {
        // Big-endian order on purpose: the codec must not depend on the buffer's order.
        ByteBuffer buf = ByteBuffer.allocateDirect(64).order(ByteOrder.BIG_ENDIAN);
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0x1f90);
        int length = SockaddrCodec.encode(a, false, buf, 8);
        assertThat(length, is(16));
        assertThat(bytes(buf, 8, 16), is(b(2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertThat(SockaddrCodec.decode(buf, 8, 16), is(a));
    }

    @Test
    void ipv6IsSockaddrIn6WithFamily23AndLittleEndianScope() throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        byte[] linkLocal = b(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7);
        InetSocketAddress a = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 0x0102), 65535);
        int length = SockaddrCodec.encode(a, true, buf, 0);
        assertThat(length, is(28));
        byte[] expected = new byte[28];
        expected[0] = 23;
        expected[2] = (byte) 0xff;
        expected[3] = (byte) 0xff;
        System.arraycopy(linkLocal, 0, expected, 8, 16);
        expected[24] = 0x02;
        expected[25] = 0x01;
        assertThat(bytes(buf, 0, 28), is(expected));
        InetSocketAddress back = SockaddrCodec.decode(buf, 0, 28);
        assertThat(back, is(a));
        assertThat(((Inet6Address) back.getAddress()).getScopeId(), is(0x0102));
    }

    @Test
    void ipv4OnADualStackSocketIsMappedAndDecodesBackToIpv4() throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(28);
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 53);
        assertThat(SockaddrCodec.encode(a, true, buf, 0), is(28));
        assertThat(bytes(buf, 8, 16), is(b(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1)));
        InetSocketAddress back = SockaddrCodec.decode(buf, 0, 28);
        assertThat(back.getAddress(), instanceOf(Inet4Address.class));
        assertThat(back, is(a));
    }

    @Test
    void worksOnJnaNativeMemory() throws Exception {
        try (Memory memory = new Memory(128)) {
            ByteBuffer view = memory.getByteBuffer(0, 128);
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("::1"), 40000);
            SockaddrCodec.encode(a, true, view, 64);
            assertThat(memory.getByte(64), is((byte) 23));
            assertThat(memory.getByte(66), is((byte) (40000 >>> 8)));
            assertThat(memory.getByte(67), is((byte) 40000));
            assertThat(memory.getByte(64 + 8 + 15), is((byte) 1));
            assertThat(SockaddrCodec.decode(view, 64, 28), is(a));
        }
    }

    @Test
    void ipv6TargetOnIpv4SocketIsRefusedWithTheRemedy() throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(28);
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("::1"), 9);
        var e = assertThrows(IllegalArgumentException.class, () -> SockaddrCodec.encode(a, false, buf, 0));
        assertThat(e.getMessage(), is("Address '/[0:0:0:0:0:0:0:1]:9' is IPv6 but the socket is IPv4;"
                + " open the socket with StandardProtocolFamily.INET6"));
    }

    @Test
    void unresolvedAddressIsRefusedWithTheRemedy() {
        ByteBuffer buf = ByteBuffer.allocateDirect(28);
        InetSocketAddress a = InetSocketAddress.createUnresolved("example.invalid", 9);
        var e = assertThrows(IllegalArgumentException.class, () -> SockaddrCodec.encode(a, true, buf, 0));
        assertThat(e.getMessage(), is("Address 'example.invalid/<unresolved>:9' is unresolved; resolve it first,"
                + " e.g. new InetSocketAddress(InetAddress.getByName(host), port)"));
    }

    @Test
    void unknownFamilyOrShortLengthIsRefused() {
        ByteBuffer buf = ByteBuffer.allocateDirect(28);
        buf.put(0, (byte) 10); // AF_INET6 on Linux, not on Windows
        var e = assertThrows(IllegalArgumentException.class, () -> SockaddrCodec.decode(buf, 0, 28));
        assertThat(e.getMessage(), is("sockaddr of family '10' and length '28' is neither sockaddr_in (AF_INET 2,"
                + " 16 bytes) nor sockaddr_in6 (AF_INET6 23, 28 bytes)"));
        buf.put(0, (byte) 23);
        assertThrows(IllegalArgumentException.class, () -> SockaddrCodec.decode(buf, 0, 16));
    }

    @Test
    void senderCacheReturnsTheSameInstanceWhileTheBytesMatch() throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(28);
        SockaddrCodec.SenderCache cache = new SockaddrCodec.SenderCache();
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1000);
        SockaddrCodec.encode(a, false, buf, 0);
        InetSocketAddress first = cache.decode(buf, 0, 16);
        assertThat(first, is(a));
        assertThat(cache.decode(buf, 0, 16), sameInstance(first));
        SockaddrCodec.encode(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1001), false, buf, 0);
        InetSocketAddress second = cache.decode(buf, 0, 16);
        assertThat(second.getPort(), is(1001));
        assertThat(cache.decode(buf, 0, 16), sameInstance(second));
    }
}
