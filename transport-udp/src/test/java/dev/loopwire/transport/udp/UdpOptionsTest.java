// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UdpOptionsTest {

    @Test
    void defaults() {
        UdpOptions d = UdpOptions.defaults();
        assertThat(d.maxDatagramSize(), is(65_507));
        assertThat(d.sendQueueBytes(), is(1 << 20));
        assertThat(d.sendQueueDatagrams(), is(1024));
        assertThat(d.readsPerEvent(), is(16));
        assertThat(d.multicastTtl(), is(1));
        assertThat(d.multicastLoopback(), is(true));
        assertThat(d.reuseAddress(), is(false));
        assertThat(d.reusePort(), is(false));
        assertThat(d.broadcast(), is(false));
        assertThat(d.receiveBufferSize(), is(0));
        assertThat(d.toString(), is("UdpOptions[reuseAddress=false reusePort=false receiveBufferSize=0"
                + " sendBufferSize=0 broadcast=false multicastInterface=default multicastTtl=1"
                + " multicastLoopback=true maxDatagramSize=65507 sendQueueBytes=1048576"
                + " sendQueueDatagrams=1024 readsPerEvent=16]"));
    }

    @Test
    void builderCopiesAndCompares() {
        UdpOptions a = UdpOptions.builder().reuseAddress(true).receiveBufferSize(1 << 16).build();
        assertThat(a.toBuilder().build(), is(a));
        assertThat(a.toBuilder().build().hashCode(), is(a.hashCode()));
        assertThat(a, is(not(UdpOptions.defaults())));
    }

    @Test
    void badValuesAreNamed() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> UdpOptions.builder().maxDatagramSize(65_528)).getMessage(),
                is("maxDatagramSize '65528' is out of range; use 1 to 65527 (65507 is the IPv4 limit)"));
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> UdpOptions.builder().multicastTtl(256)).getMessage(),
                is("multicastTtl '256' is out of range; use 0 to 255"));
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> UdpOptions.builder().receiveBufferSize(-1)).getMessage(),
                is("receiveBufferSize '-1' is out of range; use 0 for the system default"));
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> UdpOptions.builder().sendQueueDatagrams(0)).getMessage(),
                is("sendQueueDatagrams '0' is out of range; use a bound of at least one datagram"));
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> UdpOptions.builder().sendQueueBytes(1000).build()).getMessage(),
                is("sendQueueBytes '1000' is smaller than maxDatagramSize '65507'; raise sendQueueBytes"
                        + " or lower maxDatagramSize so that one datagram fits"));
    }
}
