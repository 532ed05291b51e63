package com.example.simloop.internal;

import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory network: bound addresses and the sockets behind them. A datagram to an address
 * nobody is bound to is dropped and counted, as on a real network.
 *
 * <p>Thread-safe: loops sharing a network bind and send from their own threads.
 */
public final class SimNetwork {

    private static final int FIRST_EPHEMERAL = 49_152;

    private final Map<InetSocketAddress, SimDatagram> bound = new ConcurrentHashMap<>();
    private final AtomicInteger nextPort = new AtomicInteger(FIRST_EPHEMERAL);
    private final AtomicLong dropped = new AtomicLong();

    /** Binds {@code socket} at {@code local}; port 0 picks a free ephemeral port. */
    InetSocketAddress bind(SimDatagram socket, InetSocketAddress local) throws BindException {
        if (local.getPort() != 0) {
            if (bound.putIfAbsent(local, socket) != null) {
                throw new BindException("Address already in use on the simulated network: '" + local + "'");
            }
            return local;
        }
        for (int tries = 0; tries < 65_536 - FIRST_EPHEMERAL; tries++) {
            int port = FIRST_EPHEMERAL + Math.floorMod(nextPort.getAndIncrement() - FIRST_EPHEMERAL, 65_536 - FIRST_EPHEMERAL);
            InetSocketAddress candidate = new InetSocketAddress(local.getAddress(), port);
            if (bound.putIfAbsent(candidate, socket) == null) {
                return candidate;
            }
        }
        throw new BindException("No ephemeral port left on the simulated network for '" + local.getAddress() + "'");
    }

    void unbind(InetSocketAddress local, SimDatagram socket) {
        if (local != null) {
            bound.remove(local, socket);
        }
    }

    /** Hands a copy of the payload to the socket bound at {@code to}, or counts it dropped. */
    void route(InetSocketAddress from, InetSocketAddress to, byte[] payload) {
        SimDatagram target = bound.get(to);
        if (target == null) {
            target = bound.get(new InetSocketAddress(wildcard(to.getAddress()), to.getPort()));
        }
        if (target == null || !target.deliver(payload, from)) {
            dropped.incrementAndGet();
        }
    }

    void drop() {
        dropped.incrementAndGet();
    }

    /** Datagrams dropped so far. */
    public long dropped() {
        return dropped.get();
    }

    private static InetAddress wildcard(InetAddress address) {
        try {
            return InetAddress.getByAddress(new byte[address instanceof Inet4Address ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
