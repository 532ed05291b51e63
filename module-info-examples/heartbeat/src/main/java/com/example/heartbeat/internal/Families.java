// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;

final class Families {

    private Families() {
    }

    static ProtocolFamily of(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }
}
