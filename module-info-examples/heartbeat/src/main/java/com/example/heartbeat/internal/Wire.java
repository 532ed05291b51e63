// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** The socket under a {@link PresenceCore}; one per capability family. Loop thread only. */
interface Wire {

    /** Sends one beat; a beat that does not fit now is dropped (the next interval sends another). */
    boolean send(ByteBuffer beat, InetSocketAddress peer);

    InetSocketAddress localAddress();

    void close();
}
