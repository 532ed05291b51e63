// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Objects;

/**
 * The {@link FdReadiness} facet of a selector loop: registrations are the loop's
 * {@link SelectionKey}s, with the {@link Registration} as attachment.
 *
 * <p><b>Concurrency.</b> Loop thread only, as {@link FdReadiness} requires; every method checks.
 */
public final class SelectorReadiness implements FdReadiness {

    private final EventLoop loop;
    private final Selector selector;
    // Written on the loop thread, read by toString() from any thread.
    private volatile int registered;

    public SelectorReadiness(EventLoop loop, Selector selector) {
        this.loop = loop;
        this.selector = selector;
    }

    @Override
    public Registration register(SelectableChannel channel, int interestOps, ReadyHandler handler) throws IOException {
        checkInLoop("register");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(handler, "handler");
        SelectionKey existing = channel.keyFor(selector);
        if (existing != null && existing.isValid()) {
            // SelectableChannel.register would silently replace the first handler.
            throw new IllegalStateException("Channel " + channel + " is already registered with loop '"
                    + loop.name() + "'; change the interest of its registration or cancel it first");
        }
        SelectorRegistration registration = new SelectorRegistration(channel, handler);
        try {
            registration.key = register(channel, interestOps, registration);
        } catch (IllegalBlockingModeException e) {
            throw new IOException("Channel " + channel + " is in blocking mode; call configureBlocking(false) before"
                    + " registering it with loop '" + loop.name() + "'", e);
        }
        registered++;
        return registration;
    }

    private SelectionKey register(SelectableChannel channel, int ops, SelectorRegistration attachment)
            throws IOException {
        try {
            return channel.register(selector, ops, attachment);
        } catch (CancelledKeyException e) {
            // Cancelled earlier in this turn and not yet deregistered: a selectNow flushes the
            // cancelled-key set. Ready keys it finds are handled on the next turn.
            selector.selectNow();
            return channel.register(selector, ops, attachment);
        }
    }

    /** Runs the handler of a selected key. */
    public static void dispatch(SelectionKey key) {
        if (key.isValid() && key.attachment() instanceof SelectorRegistration r) {
            int ready;
            try {
                ready = key.readyOps();
            } catch (CancelledKeyException e) {
                return;
            }
            r.handler.ready(r, ready);
        }
    }

    /** Channels registered and not cancelled. */
    public int registered() {
        return registered;
    }

    /**
     * Whether a registration still wants to write or connect: I/O in progress that a closing
     * loop waits for.
     */
    public boolean outputInProgress() {
        for (SelectionKey key : selector.keys()) {
            try {
                if (key.isValid() && (key.interestOps() & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
                    return true;
                }
            } catch (CancelledKeyException e) {
                // cancelled meanwhile: not in progress
            }
        }
        return false;
    }

    /** Recounts after a select has deregistered cancelled keys and closed channels. */
    public void recount() {
        registered = selector.keys().size();
    }

    /** Forgets every registration once the loop has closed them. */
    public void closed() {
        registered = 0;
    }

    void checkInLoop(String method) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("FdReadiness." + method + " must be called on the thread of loop '"
                    + loop.name() + "', not on '" + Thread.currentThread().getName()
                    + "'; hand the call over with loop.execute(...)");
        }
    }

    private final class SelectorRegistration implements Registration {
        private final SelectableChannel channel;
        private final ReadyHandler handler;
        private SelectionKey key;

        SelectorRegistration(SelectableChannel channel, ReadyHandler handler) {
            this.channel = channel;
            this.handler = handler;
        }

        @Override
        public SelectableChannel channel() {
            return channel;
        }

        @Override
        public int interestOps() {
            checkInLoop("Registration.interestOps");
            return key.isValid() ? key.interestOps() : 0;
        }

        @Override
        public void interestOps(int ops) {
            checkInLoop("Registration.interestOps");
            if (!key.isValid()) {
                throw new IllegalStateException("Registration of " + channel + " on loop '" + loop.name()
                        + "' is no longer valid (cancelled, channel closed or loop closed); register the channel again");
            }
            key.interestOps(ops);
        }

        @Override
        public boolean isValid() {
            return key.isValid();
        }

        @Override
        public void cancel() {
            checkInLoop("Registration.cancel");
            if (key.isValid()) {
                key.cancel();
                registered--;
                // Deregister now: the JDK defers closing a channel that is still registered with
                // a selector until that selector's next select, so without this a close() right
                // after cancel() would keep the socket (and its port) until the next turn. Ready
                // keys this finds are handled on the next turn, as in register().
                try {
                    selector.selectNow();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }

        @Override
        public String toString() {
            return "Registration[" + channel + (key.isValid() ? " ops=" + key.interestOps() : " cancelled") + "]";
        }
    }
}
