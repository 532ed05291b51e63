package dev.loopwire.loop.iocp.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.StandardSocketOptions;
import org.junit.jupiter.api.Test;

class WinSocketOptionsTest {

    @Test
    void socketLevelOptions() {
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.SO_RCVBUF, false), is(new int[] {0xffff, 0x1002}));
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.SO_SNDBUF, true), is(new int[] {0xffff, 0x1001}));
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.SO_REUSEADDR, false), is(new int[] {0xffff, 4}));
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.SO_BROADCAST, false),
                is(new int[] {0xffff, 0x20}));
    }

    @Test
    void multicastOptionsFollowTheSocketFamily() {
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.IP_MULTICAST_TTL, false), is(new int[] {0, 10}));
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.IP_MULTICAST_TTL, true), is(new int[] {41, 10}));
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.IP_MULTICAST_LOOP, false), is(new int[] {0, 11}));
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.IP_MULTICAST_LOOP, true), is(new int[] {41, 11}));
        assertThat(WinSocketOptions.levelAndName(StandardSocketOptions.IP_TOS, true), is(new int[] {0, 3}));
    }

    @Test
    void reusePortDoesNotExistOnWindows() {
        var e = assertThrows(UnsupportedOperationException.class,
                () -> WinSocketOptions.levelAndName(StandardSocketOptions.SO_REUSEPORT, false));
        assertThat(e.getMessage(), is("Option 'SO_REUSEPORT' does not exist on Windows; use SO_REUSEADDR"));
    }

    @Test
    void ipv4InterfaceIndexIsAnAddressInZeroSlashEightInNetworkOrder() {
        assertThat(WinSocketOptions.ipv4InterfaceIndex(1), is(new byte[] {0, 0, 0, 1}));
        assertThat(WinSocketOptions.ipv4InterfaceIndex(0x010203), is(new byte[] {0, 1, 2, 3}));
        var e = assertThrows(IllegalArgumentException.class, () -> WinSocketOptions.ipv4InterfaceIndex(0x1000000));
        assertThat(e.getMessage(), is("Interface index '16777216' does not fit the IPv4 index form 0.x.x.x;"
                + " choose the interface by address"));
    }

    @Test
    void membershipStructures() throws Exception {
        assertThat(WinSocketOptions.ipMreq(InetAddress.getByName("239.1.2.3"), 7),
                is(new byte[] {(byte) 239, 1, 2, 3, 0, 0, 0, 7}));
        byte[] v6 = WinSocketOptions.ipv6Mreq(InetAddress.getByName("ff02::1"), 0x0102);
        assertThat(v6.length, is(20));
        assertThat(v6[0], is((byte) 0xff));
        assertThat(v6[1], is((byte) 0x02));
        assertThat(v6[15], is((byte) 1));
        assertThat(v6[16], is((byte) 0x02));
        assertThat(v6[17], is((byte) 0x01));
        assertThat(v6[18], is((byte) 0));
    }

    @Test
    void defaultMulticastInterfaceReadsAsNull() throws Exception {
        assertThat(WinSocketOptions.ipv4MulticastInterface(0), nullValue());
    }
}
