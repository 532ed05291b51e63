// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.DatagramTooLargeException;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.InvalidAddressException;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A UDP endpoint on the in-memory network: the simulated loop's own {@link DatagramEndpoint},
 * keeping the promises of loopwire's endpoints (and its conformance kit) with the public API only.
 *
 * <p><b>Sending.</b> On the loop thread with nothing queued, a datagram goes onto the network at
 * once. Otherwise it is copied into a {@link SimSendQueue} bounded by
 * {@link UdpOptions#sendQueueDatagrams()} and {@link UdpOptions#sendQueueBytes()}: a send that
 * does not fit returns {@code false} with the buffer untouched, and
 * {@link DatagramHandler#onWritabilityChanged} reports each change. The loop drains the queue in
 * one task per batch. A connected endpoint whose peer has no socket hears a
 * {@link PortUnreachableException}, as a real host's ICMP answer would report.
 *
 * <p><b>Lifecycle.</b> {@link #open} binds, registers a loop close hook and calls
 * {@code onOpen}; if {@code onOpen} throws (an {@code Error} included), the address is released
 * and the bind's stage fails with what it threw, without {@code onClose}. {@link #close()} stops
 * accepting sends at once, then on the loop thread sends what it accepted, releases the address,
 * calls {@code onClose} and completes. A closing loop closes its endpoints the same way, from its
 * close hook, so nothing accepted is lost.
 *
 * <p><b>Handler exceptions</b>, {@code Error}s included, never reach the endpoint: see
 * {@link SafeHandler}.
 *
 * <p><b>Concurrency.</b> Public methods may be called from any thread; the queue, the flags and
 * the addresses are thread-safe, everything else is touched on the loop thread only.
 */
final class SimEndpoint implements DatagramEndpoint {

    private final EventLoop loop;
    private final Timers timers;
    private final SimNetwork network;
    private final SafeHandler handler;
    private final UdpOptions options;
    private final SimSendQueue queue;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    // One stage for every close() call, as DatagramEndpoint#close promises.
    private final CompletionStage<Void> closeStage = closeFuture.minimalCompletionStage();
    private final Runnable flushTask = this::scheduledFlush;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;
    private EventLoop.CloseHook closeHook;
    private boolean released; // the address is free again; nothing more is sent or received
    private boolean notifiedWritable = true;

    SimEndpoint(EventLoop loop, SimNetwork network, DatagramHandler handler, UdpOptions options) {
        this.loop = loop;
        this.timers = loop.capability(Timers.class).orElseThrow();
        this.network = network;
        this.handler = new SafeHandler(loop, handler);
        this.options = options;
        this.queue = new SimSendQueue(options);
    }

    /** Binds, connects (if {@code to} is given), calls {@code onOpen}, then completes {@code opened}; loop thread. */
    void open(InetSocketAddress at, InetSocketAddress to, CompletableFuture<DatagramEndpoint> opened) {
        try {
            local = network.bind(this, this::deliver, at);
        } catch (IOException e) {
            opened.completeExceptionally(e);
            return;
        }
        remote = to;
        try {
            closeHook = loop.addCloseHook(this::loopClosing);
        } catch (RejectedExecutionException ended) {
            // Opened in the loop's last turn: no close hook would ever run, so do not open at all.
            network.unbind(local, this);
            opened.completeExceptionally(ended);
            return;
        }
        Throwable failure = handler.open(this);
        if (failure != null) {
            // As loopwire's endpoints do: the user never held this endpoint, so it closes without
            // onClose, and the bind fails with what onOpen threw once the address is free again.
            closed.set(true);
            queue.clear();
            release();
            closeFuture.complete(null);
            opened.completeExceptionally(failure);
            return;
        }
        opened.complete(this);
    }

    // ---- sending

    @Override
    public boolean send(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        InetSocketAddress peer = remote;
        if (peer == null) {
            throw new IllegalStateException("Endpoint '" + SimAddresses.format(local)
                    + "' is not connected; use send(data, target)");
        }
        return send(data, peer);
    }

    @Override
    public boolean send(ByteBuffer data, SocketAddress target) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(target, "target");
        InetSocketAddress to = SimAddresses.destination(target);
        if (isClosed()) {
            throw closedException();
        }
        InetSocketAddress peer = remote;
        if (peer != null && !peer.equals(to)) {
            throw new InvalidAddressException("Target '" + SimAddresses.format(to) + "' is not the connected peer '"
                    + SimAddresses.format(peer) + "'; use send(data), or an unconnected endpoint");
        }
        SimAddresses.sameFamily(local, to);
        SimAddresses.size(data.remaining(), to, options);
        boolean inLoop = loop.inLoop();
        if (inLoop && queue.isEmpty()) {
            byte[] payload = new byte[data.remaining()];
            data.get(payload);
            transmit(payload, to);
            return true;
        }
        SimSendQueue.Item item = queue.offer(data, to);
        if (item == null) {
            return false;
        }
        if (!inLoop) {
            // A close (of the endpoint or its loop) may have come after the check above and after
            // the loop's last drain: take the datagram back, so that nothing is accepted, then lost.
            if (isClosed() && queue.takeBack(item)) {
                throw closedException();
            }
        }
        if (flushScheduled.compareAndSet(false, true)) { // one hand-over per batch
            try {
                loop.execute(flushTask);
            } catch (RejectedExecutionException e) {
                flushScheduled.set(false);
                if (queue.takeBack(item)) {
                    // The loop is closed, or full (its task bound): either way nothing was accepted.
                    throw loop.isClosed() ? closedException() : e;
                }
            }
        }
        data.position(data.limit());
        return true;
    }

    /** Puts one datagram on the network; loop thread. */
    private void transmit(byte[] payload, InetSocketAddress to) {
        boolean someoneBound = network.route(source(to), to, payload);
        if (!someoneBound && remote != null) {
            // A real host answers with ICMP port unreachable, which only a connected socket hears,
            // a moment later: so does the simulated one.
            try {
                timers.schedule(Duration.ZERO, () -> {
                    if (!released) {
                        error(new PortUnreachableException("Port unreachable: '" + SimAddresses.format(to)
                                + "' answered with ICMP port unreachable (nothing listens there)"));
                    }
                });
            } catch (RejectedExecutionException ended) {
                // The loop has ended: no answer can arrive any more, as on a closed socket.
            }
        }
    }

    /** The sender's address as the peer sees it: a wildcard socket sends from the loopback address. */
    private InetSocketAddress source(InetSocketAddress to) {
        InetSocketAddress from = local;
        if (!from.getAddress().isAnyLocalAddress()) {
            return from;
        }
        return new InetSocketAddress(to.getAddress() instanceof Inet4Address
                ? InetAddress.getLoopbackAddress() : loopback6(), from.getPort());
    }

    private void scheduledFlush() {
        flushScheduled.set(false);
        flush();
    }

    /** Sends what is queued, reports writability, and ends a requested close once empty; loop thread. */
    private void flush() {
        if (released) {
            return;
        }
        // At most a queue's worth per turn, so that senders on other threads cannot hold the loop here.
        for (int budget = options.sendQueueDatagrams(); budget > 0; budget--) {
            SimSendQueue.Item item = queue.poll();
            if (item == null) {
                break;
            }
            transmit(item.payload(), item.to());
        }
        notifyWritability();
        // More than a turn's worth, or the writability callback (user code) let another sender in:
        // send that in the next turn, before closing.
        if (!queue.isEmpty()) {
            if (!flushScheduled.compareAndSet(false, true)) {
                return;
            }
            try {
                loop.execute(flushTask); // the loop thread may hand over even while its loop closes
                return;
            } catch (RejectedExecutionException ended) {
                flushScheduled.set(false);
                int dropped = queue.clear();
                error(new EndpointClosedException(dropped + " queued datagram(s) of " + this + " were not sent: loop '"
                        + loop.name() + "' had ended before the loop took them"));
            }
        }
        if (closed.get() && !released) {
            release();
            try {
                handler.close(this);
            } finally {
                closeFuture.complete(null);
            }
        }
    }

    /** Reports the queue's changes; consecutive reports alternate, and a refusal is always followed by "writable". */
    private void notifyWritability() {
        if (queue.takeWentUnwritable() && notifiedWritable) {
            writabilityChanged(false);
        }
        if (queue.isWritable() != notifiedWritable) {
            writabilityChanged(!notifiedWritable);
        }
    }

    private void writabilityChanged(boolean writable) {
        notifiedWritable = writable;
        handler.writabilityChanged(this, writable);
    }

    @Override
    public boolean isWritable() {
        return queue.isWritable();
    }

    // ---- receiving and errors

    /** The network's hand-over, from any thread: the datagram arrives on this endpoint's loop. */
    private boolean deliver(byte[] payload, InetSocketAddress from) {
        try {
            timers.schedule(Duration.ZERO, () -> arrive(payload, from));
            return true;
        } catch (RejectedExecutionException closedLoop) {
            return false;
        }
    }

    private void arrive(byte[] payload, InetSocketAddress from) {
        InetSocketAddress peer = remote;
        if (released || (peer != null && !peer.equals(from))) {
            network.drop(); // a connected socket takes datagrams from its peer only
            return;
        }
        if (payload.length > options.maxDatagramSize()) {
            error(new DatagramTooLargeException("Dropped a datagram from '" + SimAddresses.format(from)
                    + "' larger than the maximum of " + options.maxDatagramSize()
                    + " bytes; raise UdpOptions.maxDatagramSize to receive it"));
            return;
        }
        handler.datagram(this, ByteBuffer.wrap(payload).asReadOnlyBuffer(), from);
    }

    private void error(Throwable t) {
        handler.error(this, t);
    }

    // ---- multicast: not simulated

    /**
     * Checks the arguments, then refuses: the in-memory network has no multicast groups.
     *
     * @throws IOException always, for a valid group (the conformance kit then skips its multicast test)
     */
    @Override
    public void join(InetAddress group, NetworkInterface networkInterface) throws IOException {
        checkGroup(group, networkInterface);
        if (isClosed()) {
            throw closedException();
        }
        throw new IOException("Multicast is not simulated: cannot join '" + group.getHostAddress()
                + "'; the in-memory network has no groups, test multicast on a real loop");
    }

    /** Checks the arguments; nothing can have been joined, so leaving is a no-op. */
    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface) {
        checkGroup(group, networkInterface);
    }

    private static void checkGroup(InetAddress group, NetworkInterface networkInterface) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(networkInterface, "networkInterface");
        if (!group.isMulticastAddress()) {
            throw new InvalidAddressException("'" + group.getHostAddress() + "' is not a multicast group address;"
                    + " use one from 224.0.0.0/4 (IPv4) or ff00::/8 (IPv6)");
        }
    }

    // ---- addresses and closing

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    /** Closed by {@link #close()}, or because its loop is closed. */
    @Override
    public boolean isClosed() {
        return closed.get() || loop.isClosed();
    }

    @Override
    public CompletionStage<Void> close() {
        if (closed.compareAndSet(false, true)) {
            if (loop.inLoop()) {
                flush();
            } else {
                try {
                    loop.execute(this::flush);
                } catch (RejectedExecutionException closing) {
                    // The loop is closing: its close hook (loopClosing) flushes and ends this close.
                }
            }
        }
        return closeStage;
    }

    /** The loop closes: close as {@link #close()} does, so what was accepted is still sent; loop thread. */
    private void loopClosing() {
        closed.set(true);
        flush();
    }

    /** Frees the address (it can be bound again at once) and forgets the loop's close hook; loop thread. */
    private void release() {
        if (!released) {
            released = true;
            network.unbind(local, this);
            closeHook.cancel();
        }
    }

    private EndpointClosedException closedException() {
        if (loop.isClosed()) {
            return new EndpointClosedException("Endpoint '" + SimAddresses.format(local) + "' cannot send: its loop '"
                    + loop.name() + "' is closed; open a new endpoint on a running loop");
        }
        return new EndpointClosedException("Endpoint '" + SimAddresses.format(local) + "' is closed; open a new one");
    }

    private static InetAddress loopback6() {
        try {
            return InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // a literal never needs a lookup
        }
    }

    @Override
    public String toString() {
        InetSocketAddress peer = remote;
        return "sim-udp[" + SimAddresses.format(local) + (peer != null ? " -> " + SimAddresses.format(peer) : "")
                + " queued=" + queue.size() + (isClosed() ? " closed" : "") + "]";
    }
}
