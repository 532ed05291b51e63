// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import com.example.heartbeat.HeartbeatOpener;
import com.example.heartbeat.PeerListener;
import com.example.heartbeat.Presence;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/** The {@link HeartbeatOpener} every provider returns: only the wire differs. */
final class Opener implements HeartbeatOpener {

    /** Opens the wire for a core; runs on the loop thread, completes on it (at once, or later). */
    @FunctionalInterface
    interface WireFactory {
        CompletionStage<? extends Wire> open(InetSocketAddress local, PresenceCore core) throws IOException;
    }

    private final EventLoop loop;
    private final Timers timers;
    private final WireFactory wires;

    Opener(EventLoop loop, Timers timers, WireFactory wires) {
        this.loop = loop;
        this.timers = timers;
        this.wires = wires;
    }

    @Override
    public CompletionStage<Presence> open(InetSocketAddress local, Duration interval, PeerListener listener) {
        CompletableFuture<Presence> opened = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                PresenceCore core = new PresenceCore(loop, timers, interval, listener);
                try {
                    wires.open(local, core).whenComplete((wire, failure) -> {
                        if (failure != null) {
                            opened.completeExceptionally(failure);
                        } else {
                            core.start(wire);
                            opened.complete(core);
                        }
                    });
                } catch (IOException | RuntimeException e) {
                    opened.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            opened.completeExceptionally(e);
        }
        return opened;
    }
}
