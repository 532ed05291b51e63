// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TcpOptionsTest {

    private static void refused(Executable call, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertThat(e.getMessage(), is(message));
    }

    @Test
    void defaults() {
        TcpOptions o = TcpOptions.defaults();
        assertThat(o.noDelay(), is(true));
        assertThat(o.keepAlive(), is(false));
        assertThat(o.reuseAddress(), is(true));
        assertThat(o.reusePort(), is(false));
        assertThat(o.backlog(), is(1024));
        assertThat(o.writeBufferLowWaterMark(), is(32 << 10));
        assertThat(o.writeBufferHighWaterMark(), is(64 << 10));
        assertThat(o.writeQueueLimit(), is(16 << 20));
        assertThat(o.readBufferSize(), is(64 << 10));
        assertThat(o.readsPerEvent(), is(16));
        assertThat(o.acceptsPerEvent(), is(16));
        assertThat(o.connectTimeout(), is(Duration.ofSeconds(30)));
        assertThat(o.receiveBufferSize(), is(0));
        assertThat(o.sendBufferSize(), is(0));
    }

    @Test
    void aBuilderRoundTripsAndCopiesAreEqual() {
        TcpOptions o = TcpOptions.builder().noDelay(false).keepAlive(true).keepAliveIdle(Duration.ofSeconds(60))
                .keepAliveInterval(Duration.ofSeconds(5)).keepAliveCount(3).receiveBufferSize(1 << 16)
                .sendBufferSize(1 << 15).reuseAddress(false).reusePort(true).backlog(7)
                .writeBufferWaterMarks(1, 2).writeQueueLimit(3).readBufferSize(100).readsPerEvent(2)
                .acceptsPerEvent(3).connectTimeout(Duration.ZERO).build();
        assertThat(o.toBuilder().build(), is(o));
        assertThat(o.toBuilder().build().hashCode(), is(o.hashCode()));
        assertThat(o, is(not(TcpOptions.defaults())));
        assertThat(o.keepAliveIdleSeconds(), is(60));
        assertThat(o.toString(), is("TcpOptions[noDelay=false keepAlive=true keepAliveIdleSeconds=60"
                + " keepAliveIntervalSeconds=5 keepAliveCount=3 receiveBufferSize=65536 sendBufferSize=32768"
                + " reuseAddress=false reusePort=true backlog=7 writeBufferWaterMarks=1/2 writeQueueLimit=3"
                + " readBufferSize=100 readsPerEvent=2 acceptsPerEvent=3 connectTimeout=PT0S]"));
    }

    @Test
    void backlogOfZeroOrLessIsRefused() {
        refused(() -> TcpOptions.builder().backlog(0),
                "backlog '0' is out of range; use at least 1 (the system caps large values)");
        refused(() -> TcpOptions.builder().backlog(-5),
                "backlog '-5' is out of range; use at least 1 (the system caps large values)");
        assertThat(TcpOptions.builder().backlog(1).build().backlog(), is(1));
        assertThat(TcpOptions.builder().backlog(Integer.MAX_VALUE).build().backlog(), is(Integer.MAX_VALUE));
    }

    @Test
    void absurdWaterMarksAreRefused() {
        refused(() -> TcpOptions.builder().writeBufferWaterMarks(10, 5),
                "Write buffer low water mark '10' is above the high water mark '5'; use 0 <= low <= high");
        refused(() -> TcpOptions.builder().writeBufferWaterMarks(-1, 5),
                "Write buffer water marks low '-1' and high '5' must not be negative; use 0 <= low <= high");
        refused(() -> TcpOptions.builder().writeBufferWaterMarks(0, Integer.MIN_VALUE),
                "Write buffer water marks low '0' and high '-2147483648' must not be negative; use 0 <= low <= high");
        refused(() -> TcpOptions.builder().writeBufferWaterMarks(0, Integer.MAX_VALUE),
                "Write buffer high water mark '2147483647' is above the largest write queue limit 1073741824;"
                        + " use at most 1073741824");
        refused(() -> TcpOptions.builder().writeBufferWaterMarks(1 << 20, 32 << 20).build(),
                "Write buffer high water mark '33554432' is above writeQueueLimit '16777216';"
                        + " lower the water marks or raise writeQueueLimit");
        refused(() -> TcpOptions.builder().writeQueueLimit(1000).build(),
                "Write buffer high water mark '65536' is above writeQueueLimit '1000';"
                        + " lower the water marks or raise writeQueueLimit");
        // Exact limits are accepted: low == high, high == limit.
        TcpOptions edge = TcpOptions.builder().writeBufferWaterMarks(7, 7).writeQueueLimit(7).build();
        assertThat(edge.writeBufferHighWaterMark(), is(edge.writeQueueLimit()));
        assertThat(TcpOptions.builder().writeBufferWaterMarks(0, 0).build().writeBufferLowWaterMark(), is(0));
    }

    @Test
    void otherAbsurdValuesAreRefusedAndTheBuilderStaysUsable() {
        TcpOptions.Builder b = TcpOptions.builder();
        refused(() -> b.writeQueueLimit(0), "writeQueueLimit '0' is out of range; use 1 to 1073741824 bytes, and at"
                + " least the high water mark");
        refused(() -> b.writeQueueLimit((1 << 30) + 1), "writeQueueLimit '1073741825' is out of range; use 1 to"
                + " 1073741824 bytes, and at least the high water mark");
        refused(() -> b.readBufferSize(0), "readBufferSize '0' is out of range; use 1 to 16777216 bytes");
        refused(() -> b.readBufferSize(Integer.MAX_VALUE),
                "readBufferSize '2147483647' is out of range; use 1 to 16777216 bytes");
        refused(() -> b.readsPerEvent(0), "readsPerEvent '0' is out of range; use at least 1");
        refused(() -> b.acceptsPerEvent(-1), "acceptsPerEvent '-1' is out of range; use at least 1");
        refused(() -> b.receiveBufferSize(-1),
                "receiveBufferSize '-1' is out of range; use 0 for the system default, or a size in bytes");
        refused(() -> b.sendBufferSize(-1),
                "sendBufferSize '-1' is out of range; use 0 for the system default, or a size in bytes");
        refused(() -> b.connectTimeout(Duration.ofMillis(-1)),
                "connectTimeout 'PT-0.001S' is negative; use a positive duration, or Duration.ZERO for no limit");
        refused(() -> b.keepAliveIdle(Duration.ofMillis(1500)), "keepAliveIdle 'PT1.5S' is out of range; use whole"
                + " seconds from 1 to 32767, or Duration.ZERO for the system default");
        refused(() -> b.keepAliveInterval(Duration.ofSeconds(32_768)), "keepAliveInterval 'PT9H6M8S' is out of range;"
                + " use whole seconds from 1 to 32767, or Duration.ZERO for the system default");
        refused(() -> b.keepAliveCount(128),
                "keepAliveCount '128' is out of range; use 1 to 127, or 0 for the system default");
        refused(() -> TcpOptions.builder().keepAliveCount(3).build(), "Keep-alive tuning (idle '0' s, interval '0' s,"
                + " count '3') is set but keepAlive is off; call keepAlive(true) or leave the tuning at 0");
        NullPointerException npe = assertThrows(NullPointerException.class, () -> b.connectTimeout(null));
        assertThat(npe.getMessage(), is("timeout"));
        assertThat(b.build(), is(TcpOptions.defaults()));
    }
}
