// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;


import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated loop's {@link SimSockets}: datagram sockets on the in-memory network. Data
 * arrives already received, on the loop thread, exactly as a completion port reports it.
 *
 * <p>Loop thread only, as the capability requires.
 */
public final class SimPort implements SimSockets {

    private final EventLoop loop;
    private final SimNetwork network;
    private final Set<SimDatagram> sockets = ConcurrentHashMap.newKeySet();

    public SimPort(EventLoop loop, SimNetwork network) {
        this.loop = loop;
        this.network = network;
    }

    @Override
    public Datagram openDatagram(ProtocolFamily family, DatagramListener listener) {
        checkLoop();
        Objects.requireNonNull(listener, "listener");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new UnsupportedOperationException("Protocol family '" + family
                    + "' is not simulated; use INET or INET6");
        }
        SimDatagram socket = new SimDatagram(this, network, family, listener);
        sockets.add(socket);
        return socket;
    }

    void checkLoop() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("SimSockets of loop '" + loop.name()
                    + "' called from thread '" + Thread.currentThread().getName() + "'; use loop.execute");
        }
    }

    Timers timers() {
        return loop.capability(Timers.class).orElseThrow();
    }

    void closed(SimDatagram socket) {
        sockets.remove(socket);
    }

    /** Sockets open on this loop. */
    public int open() {
        return sockets.size();
    }

    /** Closes every socket; called by the loop as it closes. */
    public void closeAll() {
        List.copyOf(sockets).forEach(SimDatagram::close);
    }
}
