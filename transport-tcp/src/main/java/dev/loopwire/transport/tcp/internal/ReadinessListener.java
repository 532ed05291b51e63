// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A listening {@link ServerSocketChannel} watched through {@link FdReadiness}: accepts up to
 * {@link TcpOptions#acceptsPerEvent()} connections per readiness event and starts a
 * {@link ReadinessConnection} for each, with a handler from the factory.
 *
 * <p><b>Concurrency.</b> Public methods may be called from any thread and hand their work to
 * the loop; the registration is touched on the loop thread only.
 */
final class ReadinessListener implements TcpListener {

    /** How long accepting pauses after a failed accept (out of file descriptors, say), so the loop does not spin. */
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);

    private final ReadinessTcpOpener opener;
    private final ServerSocketChannel channel;
    private final Supplier<? extends StreamHandler> handlers;
    private final TcpOptions options;
    private final InetSocketAddress local;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final CompletionStage<Void> closeStage = closeFuture.minimalCompletionStage();
    private volatile boolean acceptingWanted = true;
    private boolean backingOff;
    private FdReadiness.Registration registration;
    private EventLoop.CloseHook closeHook;

    ReadinessListener(ReadinessTcpOpener opener, ServerSocketChannel channel, Supplier<? extends StreamHandler> handlers,
            TcpOptions options) throws IOException {
        this.opener = opener;
        this.channel = channel;
        this.handlers = handlers;
        this.options = options;
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    /** Registers with the loop; loop thread. */
    void start() throws IOException {
        registration = opener.readiness.register(channel, SelectionKey.OP_ACCEPT, (r, ops) -> accept());
        closeHook = opener.loop.addCloseHook(this::close); // the loop closing closes the listener
    }

    private void accept() {
        for (int i = 0; i < options.acceptsPerEvent() && accepting(); i++) {
            SocketChannel accepted;
            try {
                accepted = channel.accept();
            } catch (IOException e) {
                Guards.toLoop(opener.loop, e, "Listener " + this + " failed to accept; accepting pauses for "
                        + ACCEPT_BACKOFF.toMillis() + " ms");
                backOff();
                return;
            }
            if (accepted == null) {
                return;
            }
            start(accepted);
        }
    }

    private void start(SocketChannel accepted) {
        StreamHandler handler;
        try {
            handler = handlers.get();
            if (handler == null) {
                throw new NullPointerException("The handler factory of listener " + this
                        + " returned null; return a StreamHandler for every connection");
            }
        } catch (Throwable t) {
            reset(accepted);
            Guards.toLoop(opener.loop, t, "The handler factory of listener " + this + " threw; the accepted connection was reset");
            return;
        }
        try {
            SocketSetup.connection(accepted, options);
            accepted.configureBlocking(false);
            new ReadinessConnection(opener, accepted, handler, options).accepted();
        } catch (IOException | RuntimeException e) {
            // The peer may have reset already: nothing reached the handler, so only the loop hears.
            reset(accepted);
            Guards.toLoop(opener.loop, e, "Listener " + this + " could not start an accepted connection; it was reset");
        }
    }

    private static void reset(SocketChannel accepted) {
        try {
            accepted.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // Closed already.
        }
        ReadinessTcpOpener.closeQuietly(accepted, null);
    }

    private boolean accepting() {
        return acceptingWanted && !backingOff && !closed.get();
    }

    private void backOff() {
        if (opener.timers == null) {
            return;
        }
        backingOff = true;
        updateInterest();
        try {
            opener.timers.schedule(ACCEPT_BACKOFF, () -> {
                backingOff = false;
                updateInterest();
            });
        } catch (RejectedExecutionException e) {
            // The loop is closing and closes the socket.
        }
    }

    private void updateInterest() {
        if (registration != null && registration.isValid() && !closed.get()) {
            registration.interestOps(accepting() ? SelectionKey.OP_ACCEPT : 0);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void pauseAccepting() {
        acceptingWanted = false;
        onLoop(this::updateInterest);
    }

    @Override
    public void resumeAccepting() {
        acceptingWanted = true;
        onLoop(this::updateInterest);
    }

    @Override
    public CompletionStage<Void> close() {
        if (closed.compareAndSet(false, true)) {
            onLoop(() -> {
                if (closeHook != null) {
                    closeHook.cancel();
                }
                opener.cancelAndClose(registration, channel, false, () -> closeFuture.complete(null));
            });
        }
        return closeStage;
    }

    private void onLoop(Runnable task) {
        EventLoop loop = opener.loop;
        if (loop.inLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The loop is closed and closed the socket with it.
            if (closed.get()) {
                closeFuture.complete(null);
            }
        }
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public EventLoop loop() {
        return opener.loop;
    }

    @Override
    public String toString() {
        return "tcp-listener[" + TcpChecks.format(local) + (closed.get() ? " closed" : "") + "]";
    }
}
