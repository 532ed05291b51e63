// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import com.example.heartbeat.Heartbeat;
import com.example.heartbeat.PeerListener;
import com.example.heartbeat.Presence;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heartbeat logic, the same on every wire: one timer tick per interval sends a beat to each
 * watched peer and counts the ticks since each was last heard; a beat resets the count.
 *
 * <p>Peer state is touched on the loop thread only; the counters and the snapshot of peers up
 * are published for other threads.
 */
final class PresenceCore implements Presence {

    private static final System.Logger LOG = System.getLogger(PresenceCore.class.getName());
    private static final byte[] BEAT = "LWHB1".getBytes(StandardCharsets.US_ASCII);

    private static final class Peer {
        int silentTicks;
        boolean up;
    }

    private final EventLoop loop;
    private final Timers timers;
    private final Duration interval;
    private final PeerListener listener;
    private final Map<InetSocketAddress, Peer> peers = new LinkedHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private volatile Set<InetSocketAddress> upSnapshot = Set.of();
    private volatile boolean closing;
    private Wire wire;
    private Timers.Timeout tick;

    PresenceCore(EventLoop loop, Timers timers, Duration interval, PeerListener listener) {
        this.loop = loop;
        this.timers = timers;
        this.interval = interval;
        this.listener = listener;
    }

    /** Starts ticking on {@code wire}; on the loop thread. */
    void start(Wire w) {
        this.wire = w;
        tick = timers.schedule(interval, this::tick);
    }

    /** A datagram arrived on the wire; on the loop thread. */
    void received(ByteBuffer data, InetSocketAddress sender) {
        Peer peer = peers.get(sender);
        if (peer == null || !isBeat(data)) {
            ignored.incrementAndGet();
            return;
        }
        received.incrementAndGet();
        peer.silentTicks = 0;
        if (!peer.up) {
            peer.up = true;
            publish();
            notify(sender, true);
        }
    }

    private void tick() {
        if (closing) {
            return;
        }
        for (Map.Entry<InetSocketAddress, Peer> e : peers.entrySet()) {
            Peer peer = e.getValue();
            if (wire.send(ByteBuffer.wrap(BEAT), e.getKey())) {
                sent.incrementAndGet();
            }
            peer.silentTicks++;
            if (peer.up && peer.silentTicks >= Heartbeat.MISSED_BEATS_FOR_DOWN) {
                peer.up = false;
                publish();
                notify(e.getKey(), false);
            }
        }
        tick = timers.schedule(interval, this::tick);
    }

    private void notify(InetSocketAddress peer, boolean up) {
        try {
            if (up) {
                listener.up(peer);
            } else {
                listener.down(peer);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "PeerListener threw for " + peer, e);
        }
    }

    private void publish() {
        upSnapshot = peers.entrySet().stream().filter(e -> e.getValue().up).map(Map.Entry::getKey)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private static boolean isBeat(ByteBuffer data) {
        return data.remaining() == BEAT.length && data.equals(ByteBuffer.wrap(BEAT));
    }

    @Override
    public InetSocketAddress localAddress() {
        return wire.localAddress();
    }

    @Override
    public void watch(InetSocketAddress peer) {
        Objects.requireNonNull(peer, "peer");
        if (peer.isUnresolved() || peer.getPort() == 0) {
            throw new IllegalArgumentException("Heartbeat peer address '" + peer
                    + "' must be resolved and have a port from 1 to 65535");
        }
        loop.execute(() -> peers.putIfAbsent(peer, new Peer()));
    }

    @Override
    public Set<InetSocketAddress> up() {
        return upSnapshot;
    }

    @Override
    public long beatsSent() {
        return sent.get();
    }

    @Override
    public long beatsReceived() {
        return received.get();
    }

    @Override
    public long ignored() {
        return ignored.get();
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public CompletionStage<Void> close() {
        if (!closing) {
            closing = true;
            try {
                loop.execute(() -> {
                    if (tick != null) {
                        tick.cancel();
                    }
                    wire.close();
                    closed.complete(null);
                });
            } catch (RejectedExecutionException e) {
                closed.complete(null); // the loop closed first and released the socket with it
            }
        }
        return closed;
    }

    @Override
    public String toString() {
        return "Presence[" + (wire == null ? "opening" : wire.localAddress()) + " up=" + upSnapshot.size()
                + " sent=" + sent + " received=" + received + "]";
    }
}
