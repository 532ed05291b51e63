// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.UringPort;
import dev.loopwire.transport.udp.RequireIoUring;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loop's peer cache: same bytes give the same address, any number of peers, bounded. */
class PeerCacheTest {

    private EventLoop loop;
    private PosixCalls posix;
    private PeerCache.Codec codec;
    private final PeerCache cache = new PeerCache();

    @BeforeEach
    void openLoop() {
        loop = RequireIoUring.open();
        posix = loop.capability(UringPort.class).orElseThrow().posix(); // the facet is thread-safe
        codec = PeerCache.Codec.of(posix);
    }

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private static InetSocketAddress v4(int n) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, (byte) (n >>> 8), (byte) n}),
                10_000 + (n % 50_000));
    }

    /** The sockaddr the kernel would report for {@code address}, at offset 16 of a buffer. */
    private ByteBuffer received(InetSocketAddress address, boolean ipv6) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        posix.encode(address, ipv6, buffer.position(16));
        return buffer.clear();
    }

    @Test
    void aReturningSenderIsTheSameInstanceAmongAThousandPeers() throws Exception {
        List<ByteBuffer> raw = new ArrayList<>();
        List<InetSocketAddress> first = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            raw.add(received(v4(i), false));
            first.add(cache.decode(codec, raw.get(i), 16, 16));
            assertThat(first.get(i), is(v4(i)));
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 1024; i++) {
                assertThat(cache.decode(codec, raw.get(i), 16, 16), is(sameInstance(first.get(i))));
            }
        }
        assertThat(cache.senders(), is(1024));
    }

    @Test
    void aTargetIsEncodedOnceAndAnEqualAddressFindsIt() throws Exception {
        ByteBuffer expected = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        ByteBuffer out = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 1024; i++) {
            assertThat(cache.encode(codec, v4(i), false, out.position(8)), is(16));
        }
        for (int i = 0; i < 1024; i++) {
            InetSocketAddress equal = v4(i); // a new instance each time
            out.clear().put(new byte[40]).clear();
            int n = cache.encode(codec, equal, true, out.position(8));
            assertThat(n, is(posix.encode(equal, true, expected.clear())));
            assertThat("position unchanged", out.position(), is(8));
            assertThat(out.slice(8, n), is(expected.slice(0, n)));
            assertThat(cache.encode(codec, equal, false, out.clear()), is(16));
        }
        assertThat("one entry per address and family", cache.targets(), is(2048));
    }

    @Test
    void ipv6AddressesThatDifferOnlyInScopeAreEncodedApart() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        InetSocketAddress scope1 = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 1), 9);
        InetSocketAddress scope2 = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 2), 9);
        assertThat("InetSocketAddress.equals ignores the scope", scope1.equals(scope2), is(true));
        ByteBuffer out = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        cache.encode(codec, scope1, true, out);
        assertThat(out.getInt(24), is(1));
        cache.encode(codec, scope2, true, out.clear());
        assertThat(out.getInt(24), is(2));
        cache.encode(codec, scope1, true, out.clear());
        assertThat(out.getInt(24), is(1));
        InetSocketAddress back = cache.decode(codec, received(scope2, true), 16, 28);
        assertThat(((Inet6Address) back.getAddress()).getScopeId(), is(2));
        assertThat(cache.decode(codec, received(scope1, true), 16, 28), is(not(sameInstance(back))));
    }

    @Test
    void aLoopWithMorePeersThanTheBoundNeverHoldsMore() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        for (int i = 0; i < PeerCache.MAX_PEERS + 10; i++) {
            InetSocketAddress peer = v4(i);
            assertThat(cache.decode(codec, received(peer, false), 16, 16), is(peer));
            cache.encode(codec, peer, false, out.clear());
            assertThat(cache.senders() <= PeerCache.MAX_PEERS && cache.targets() <= PeerCache.MAX_PEERS, is(true));
        }
        assertThat("emptied at the bound, then refilled", cache.senders(), is(10));
        assertThat(cache.targets(), is(10));
    }

    @Test
    void anAddressTheSocketCannotTakeIsRefusedAndNotCached() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cache.encode(codec, unresolved, false, out));
        assertThat(e.getMessage(), containsString("'example.invalid"));
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 9);
        assertThrows(IllegalArgumentException.class, () -> cache.encode(codec, v6, false, out));
        assertThat(cache.targets(), is(0));
        assertThat("still usable", cache.encode(codec, v6, true, out), is(28));
    }

    @Test
    void oneCachePerLoop() {
        UringPort port = loop.capability(UringPort.class).orElseThrow();
        try (EventLoop other = RequireIoUring.open()) {
            UringPort otherPort = other.capability(UringPort.class).orElseThrow();
            assertThat(PeerCache.of(port), is(sameInstance(PeerCache.of(port))));
            assertThat(PeerCache.of(port), is(not(sameInstance(PeerCache.of(otherPort)))));
        }
    }
}
