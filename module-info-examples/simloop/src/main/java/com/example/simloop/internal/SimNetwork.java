// SPDX-License-Identifier: Apache-2.0
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
 * <p>A datagram to {@code 127.0.0.1:p} reaches the socket bound there, else one bound to
 * {@code 0.0.0.0:p}, else one bound to {@code [::]:p} (a dual-stack socket, as on Linux).
 *
 * <p>Thread-safe: loops sharing a network bind and send from their own threads.
 */
public final class SimNetwork {

    /** Where a bound socket takes its datagrams; any thread. */
    @FunctionalInterface
    interface Inbox {
        /** Takes a datagram; {@code false} if the socket cannot (its loop is closed). */
        boolean deliver(byte[] payload, InetSocketAddress from);
    }

    private record Binding(Object owner, Inbox inbox) {
    }

    private static final int FIRST_EPHEMERAL = 49_152;

    private final Map<InetSocketAddress, Binding> bound = new ConcurrentHashMap<>();
    private final AtomicInteger nextPort = new AtomicInteger(FIRST_EPHEMERAL);
    private final AtomicLong dropped = new AtomicLong();

    /** Binds {@code socket} at {@code local}; port 0 picks a free ephemeral port. */
    InetSocketAddress bind(SimDatagram socket, InetSocketAddress local) throws BindException {
        return bind(socket, socket::deliver, local);
    }

    /**
     * Binds {@code inbox} at {@code local} for {@code owner}; port 0 picks a free ephemeral port.
     *
     * @throws BindException if the address is taken, naming it
     */
    InetSocketAddress bind(Object owner, Inbox inbox, InetSocketAddress local) throws BindException {
        Binding binding = new Binding(owner, inbox);
        if (local.getPort() != 0) {
            if (bound.putIfAbsent(local, binding) != null) {
                throw new BindException("Address already in use on the simulated network: '" + local + "'");
            }
            return local;
        }
        for (int tries = 0; tries < 65_536 - FIRST_EPHEMERAL; tries++) {
            int port = FIRST_EPHEMERAL + Math.floorMod(nextPort.getAndIncrement() - FIRST_EPHEMERAL, 65_536 - FIRST_EPHEMERAL);
            InetSocketAddress candidate = new InetSocketAddress(local.getAddress(), port);
            if (bound.putIfAbsent(candidate, binding) == null) {
                return candidate;
            }
        }
        throw new BindException("No ephemeral port left on the simulated network for '" + local.getAddress() + "'");
    }

    /** Frees {@code local} if {@code owner} holds it; the port can be bound again at once. */
    void unbind(InetSocketAddress local, Object owner) {
        if (local != null) {
            bound.computeIfPresent(local, (address, binding) -> binding.owner() == owner ? null : binding);
        }
    }

    /**
     * Hands a copy of the payload to the socket bound at {@code to}, or counts it dropped.
     *
     * @return whether a socket is bound there: {@code false} is what a real host answers with an
     *     ICMP port unreachable
     */
    boolean route(InetSocketAddress from, InetSocketAddress to, byte[] payload) {
        Binding target = bound.get(to);
        if (target == null) {
            target = bound.get(new InetSocketAddress(wildcard(to.getAddress() instanceof Inet4Address), to.getPort()));
        }
        if (target == null && to.getAddress() instanceof Inet4Address) {
            target = bound.get(new InetSocketAddress(wildcard(false), to.getPort())); // dual stack
        }
        if (target == null || !target.inbox().deliver(payload, from)) {
            dropped.incrementAndGet();
        }
        return target != null;
    }

    void drop() {
        dropped.incrementAndGet();
    }

    /** Datagrams dropped so far. */
    public long dropped() {
        return dropped.get();
    }

    private static InetAddress wildcard(boolean v4) {
        try {
            return InetAddress.getByAddress(new byte[v4 ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
