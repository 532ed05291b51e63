// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A listening socket driven through {@link UringPort}: one multishot {@code ACCEPT} (a
 * completion per connection, accepted non-blocking and close-on-exec), submitted again when it
 * ends; pausing cancels it, resuming submits it again, and the kernel's backlog holds the
 * connections meanwhile. {@link TcpOptions#acceptsPerEvent()} does not apply: the kernel posts
 * one completion per connection.
 *
 * <p><b>Concurrency.</b> Public methods may be called from any thread and hand their work to
 * the loop; the registration is touched on the loop thread only.
 */
final class UringListener implements TcpListener, UringHandler {

    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);

    private final UringTcpOpener opener;
    private final int fd;
    private final boolean ipv6;
    private final Supplier<? extends StreamHandler> handlers;
    private final TcpOptions options;
    private final InetSocketAddress local;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final CompletionStage<Void> closeStage = closeFuture.minimalCompletionStage();
    private volatile boolean acceptingWanted = true;
    private boolean backingOff;
    private UringRegistration registration;
    private EventLoop.CloseHook closeHook;
    private long acceptOp = -1;
    private boolean acceptCancelled;

    UringListener(UringTcpOpener opener, int fd, boolean ipv6, Supplier<? extends StreamHandler> handlers,
            TcpOptions options) throws IOException {
        this.opener = opener;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.handlers = handlers;
        this.options = options;
        try {
            this.local = opener.posix.localAddress(fd);
        } catch (IOException e) {
            opener.closeQuietly(fd, e);
            throw e;
        }
    }

    /** Registers with the loop and starts accepting; loop thread. */
    void start() {
        try {
            registration = opener.port.register(fd, this);
        } catch (RuntimeException e) {
            opener.closeQuietly(fd, e);
            throw e;
        }
        closeHook = opener.loop.addCloseHook(this::closeOnLoop); // the loop closing closes the listener
        update();
    }

    private boolean accepting() {
        return acceptingWanted && !backingOff && !closed.get();
    }

    private void update() {
        if (registration == null || !registration.isOpen()) {
            return;
        }
        if (!accepting()) {
            if (acceptOp != -1 && !acceptCancelled) {
                acceptCancelled = registration.cancel(acceptOp);
            }
        } else if (acceptOp == -1) {
            try {
                acceptOp = registration.prepare(UringPort.OP_ACCEPT).ioprio(UringPort.ACCEPT_MULTISHOT)
                        .opFlags(UringSockets.SOCK_CLOEXEC | dev.loopwire.loop.PosixCalls.SOCK_NONBLOCK).tag(1).submit();
                acceptCancelled = false;
            } catch (RejectedExecutionException e) {
                onLoop(this::update); // submission queue full: next turn
            }
        }
    }

    @Override
    public void complete(UringRegistration r, UringCompletion c) {
        if (c.isFinal()) {
            acceptOp = -1;
            acceptCancelled = false;
        }
        int res = c.result();
        if (res >= 0) {
            if (closed.get()) {
                opener.closeQuietly(res, null); // accepted as the listener closed: nobody will serve it
            } else {
                start(res);
            }
        } else if (res != -UringSockets.ECANCELED && !closed.get()) {
            Guards.toLoop(opener.loop, UringSockets.failure(res, "accept"), "Listener " + this
                    + " failed to accept; accepting pauses for " + ACCEPT_BACKOFF.toMillis() + " ms");
            backOff();
        }
        if (acceptOp == -1) {
            update();
        }
    }

    private void start(int accepted) {
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
        UringConnection c = null;
        try {
            SocketSetup.connection(opener.options(accepted), UringSockets.SUPPORTED, options);
            c = new UringConnection(opener, accepted, ipv6, handler, options);
            c.accepted();
        } catch (IOException | RuntimeException e) {
            if (c == null || !c.registered()) {
                reset(accepted);
            } else {
                c.abort();
            }
            Guards.toLoop(opener.loop, e, "Listener " + this + " could not start an accepted connection; it was reset");
        }
    }

    private void reset(int accepted) {
        try {
            UringSockets.lingerZero(opener.posix, accepted);
        } catch (IOException | RuntimeException ignored) {
            // The peer reset first.
        }
        opener.closeQuietly(accepted, null);
    }

    private void backOff() {
        Timers timers = opener.timers;
        if (timers == null) {
            return;
        }
        backingOff = true;
        update();
        try {
            timers.schedule(ACCEPT_BACKOFF, () -> {
                backingOff = false;
                update();
            });
        } catch (RejectedExecutionException e) {
            // The loop is closing; its close hook closes the listener.
        }
    }

    @Override
    public void loopClosing(UringRegistration r) {
        // The close hook (run before this) has closed the listener already.
        closeOnLoop();
    }

    @Override
    public void unregistered(UringRegistration r) {
        opener.closeQuietly(fd, null);
        closeFuture.complete(null);
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void pauseAccepting() {
        acceptingWanted = false;
        onLoop(this::update);
    }

    @Override
    public void resumeAccepting() {
        acceptingWanted = true;
        onLoop(this::update);
    }

    @Override
    public CompletionStage<Void> close() {
        if (closed.compareAndSet(false, true)) {
            onLoop(this::closeOnLoop);
        }
        return closeStage;
    }

    /**
     * The one close, on the loop thread, from close() or the loop's close hook: also when a
     * closing loop refused close()'s hand-over (the hook, not yet run then, closes here).
     */
    private void closeOnLoop() {
        closed.set(true);
        if (closeHook != null) {
            closeHook.cancel();
            closeHook = null;
        }
        if (registration.isOpen()) {
            registration.close(); // cancels the accept; unregistered() closes the socket
        }
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
            // The loop is closing: its close hook closes the listener (and completes the stage once
            // the socket is released), whether it has run already or not.
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
