// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** Renders addresses the way error messages do, so tests can spell out expected messages. */
final class UdpTestText {

    private UdpTestText() {
    }

    static String format(InetSocketAddress a) {
        if (a.isUnresolved()) {
            return a.getHostString() + ":" + a.getPort();
        }
        String host = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
