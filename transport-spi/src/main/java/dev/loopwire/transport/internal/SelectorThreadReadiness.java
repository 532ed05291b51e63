package dev.loopwire.transport.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@link FdReadiness} for a loop that has none: a selector on a helper thread watches the
 * channels; each readiness event disarms the key, runs the handler on the loop, and re-arms.
 * Disarming makes the level-triggered selector behave one-shot, so an event is never reported
 * twice while the loop is still handling it.
 *
 * <p>The helper thread starts on the first registration and ends, closing every channel still
 * registered, within 100 ms of the loop closing.
 */
final class SelectorThreadReadiness implements FdReadiness {

    private static final System.Logger LOG = System.getLogger(SelectorThreadReadiness.class.getName());
    // The loop API has no close hook: the helper thread looks ten times a second (not a spin).
    private static final long CLOSE_CHECK_MILLIS = 100;

    private final EventLoop loop;
    private Selector selector;

    SelectorThreadReadiness(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public Registration register(SelectableChannel channel, int interestOps, ReadyHandler handler) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(handler, "handler");
        checkLoopThread();
        if ((interestOps & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Interest " + interestOps + " is not valid for " + channel
                    + " (valid: " + channel.validOps() + ")");
        }
        Reg reg = new Reg(handler, interestOps);
        reg.key = channel.register(selector(), interestOps, reg);
        selector.wakeup();
        return reg;
    }

    private Selector selector() throws IOException {
        if (selector == null) {
            selector = Selector.open();
            Thread thread = new Thread(this::run, "loopwire-" + loop.name() + "-readiness");
            thread.setDaemon(true);
            thread.start();
        }
        return selector;
    }

    private void run() {
        Selector s = selector;
        try {
            while (!loop.isClosed()) {
                s.select(CLOSE_CHECK_MILLIS);
                for (SelectionKey key : s.selectedKeys()) {
                    if (key.isValid()) {
                        int ready = key.readyOps();
                        key.interestOps(0);
                        Reg reg = (Reg) key.attachment();
                        loop.execute(() -> reg.dispatch(ready));
                    }
                }
                s.selectedKeys().clear();
            }
        } catch (RejectedExecutionException | ClosedSelectorException e) {
            // The loop closed while an event was on its way: nothing is left to hand it to.
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Readiness thread of loop '" + loop.name() + "' failed", e);
        } finally {
            closeAll(s);
        }
    }

    private static void closeAll(Selector s) {
        try {
            for (SelectionKey key : s.keys()) {
                key.channel().close();
            }
            s.close();
        } catch (IOException | ClosedSelectorException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing the readiness selector", e);
        }
    }

    private void checkLoopThread() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("FdReadiness of loop '" + loop.name()
                    + "' must be used on the loop thread; hand work over with execute()");
        }
    }

    /** One registration; its fields are touched on the loop thread only. */
    private final class Reg implements Registration {
        private final ReadyHandler handler;
        private int interest;
        private SelectionKey key;
        private boolean cancelled;

        Reg(ReadyHandler handler, int interest) {
            this.handler = handler;
            this.interest = interest;
        }

        void dispatch(int ready) {
            if (!isValid()) {
                return;
            }
            try {
                int wanted = ready & interest;
                if (wanted != 0) {
                    handler.ready(this, wanted);
                }
            } finally {
                rearm();
            }
        }

        private void rearm() {
            if (isValid() && interest != 0) {
                key.interestOps(interest);
                selector.wakeup();
            }
        }

        @Override
        public SelectableChannel channel() {
            return key.channel();
        }

        @Override
        public int interestOps() {
            return interest;
        }

        @Override
        public void interestOps(int ops) {
            checkLoopThread();
            if ((ops & ~key.channel().validOps()) != 0) {
                throw new IllegalArgumentException("Interest " + ops + " is not valid for " + key.channel());
            }
            interest = ops;
            if (isValid()) {
                try {
                    key.interestOps(ops);
                } catch (java.nio.channels.CancelledKeyException e) {
                    throw new UncheckedIOException(new IOException("channel closed", e));
                }
                selector.wakeup();
            }
        }

        @Override
        public boolean isValid() {
            return !cancelled && key.isValid() && !loop.isClosed();
        }

        @Override
        public void cancel() {
            checkLoopThread();
            if (!cancelled) {
                cancelled = true;
                key.cancel();
                selector.wakeup();
            }
        }
    }
}
