// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.IocpCompletion;
import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpHandler;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.Timers;
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
 * A listening socket driven through {@link IocpPort}: {@value #ACCEPTS} {@code AcceptEx}s kept
 * posted, each with its own fresh accept socket and a block for the two addresses (no data is
 * awaited: the connection is handed over as soon as it is accepted). An accepted socket gets
 * {@code SO_UPDATE_ACCEPT_CONTEXT} with the listener before anything else, then the
 * connection's options. Pausing cancels the posted accepts (Windows' backlog holds the
 * connections meanwhile); one that completed before the cancel is served all the same.
 *
 * <p><b>Concurrency.</b> Public methods may be called from any thread and hand their work to
 * the loop; the registration is touched on the loop thread only.
 */
final class IocpListener implements TcpListener, IocpHandler {

    /** AcceptEx calls kept posted. */
    static final int ACCEPTS = 4;
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);

    private final IocpTcpOpener opener;
    private final long socket;
    private final boolean ipv6;
    private final Supplier<? extends StreamHandler> handlers;
    private final TcpOptions options;
    private final InetSocketAddress local;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final CompletionStage<Void> closeStage = closeFuture.minimalCompletionStage();
    private final long[] acceptSockets = new long[ACCEPTS];
    private final long[] acceptOps = new long[ACCEPTS];
    private final NativeBlock[] addresses = new NativeBlock[ACCEPTS];
    private volatile boolean acceptingWanted = true;
    private boolean backingOff;
    private IocpRegistration registration;
    private EventLoop.CloseHook closeHook;

    IocpListener(IocpTcpOpener opener, long socket, boolean ipv6, Supplier<? extends StreamHandler> handlers,
            TcpOptions options) throws IOException {
        this.opener = opener;
        this.socket = socket;
        this.ipv6 = ipv6;
        this.handlers = handlers;
        this.options = options;
        this.local = opener.winsock.localAddress(socket);
    }

    /** Associates the socket and starts accepting; loop thread. */
    void start() {
        try {
            registration = opener.port.associate(socket, this);
        } catch (RuntimeException e) {
            opener.closeQuietly(socket, e);
            throw e;
        }
        closeHook = opener.loop.addCloseHook(this::close); // the loop closing closes the listener
        update();
    }

    private boolean accepting() {
        return acceptingWanted && !backingOff && !closed.get();
    }

    private void update() {
        if (registration == null || !registration.isOpen()) {
            return;
        }
        for (int i = 0; i < ACCEPTS; i++) {
            if (!accepting()) {
                if (acceptSockets[i] != 0) {
                    registration.cancel(acceptOps[i]);
                }
            } else if (acceptSockets[i] == 0) {
                try {
                    post(i);
                } catch (IOException | RuntimeException e) {
                    Guards.toLoop(opener.loop, e, "Listener " + this + " could not post an accept; accepting pauses for "
                            + ACCEPT_BACKOFF.toMillis() + " ms");
                    backOff();
                    return;
                }
            }
        }
    }

    private void post(int index) throws IOException {
        if (addresses[index] == null) {
            addresses[index] = registration.allocate(2 * IocpPort.ACCEPT_ADDRESS_LENGTH);
        }
        long accepted = opener.socket(ipv6);
        try {
            acceptOps[index] = registration.prepare(IocpFunction.ACCEPT_EX).acceptSocket(accepted)
                    .buffer(addresses[index], 0, addresses[index].size()).tag(index).submit();
        } catch (RuntimeException e) {
            opener.closeQuietly(accepted, e);
            throw e;
        }
        acceptSockets[index] = accepted;
    }

    @Override
    public void complete(IocpRegistration r, IocpCompletion c) {
        int index = (int) c.tag();
        long accepted = acceptSockets[index];
        acceptSockets[index] = 0;
        if (c.isSuccess() && !closed.get()) {
            start(accepted);
        } else {
            opener.closeQuietly(accepted, null); // cancelled, failed, or accepted as the listener closed
            if (!c.isSuccess() && !c.isCancelled() && !closed.get()) {
                Guards.toLoop(opener.loop, c.exception(), "Listener " + this + " failed to accept; accepting pauses for "
                        + ACCEPT_BACKOFF.toMillis() + " ms");
                backOff();
                return;
            }
        }
        update();
    }

    private void start(long accepted) {
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
        IocpConnection c = null;
        try {
            IocpSockets.acceptContext(opener.winsock, accepted, socket);
            SocketSetup.connection(opener.options(accepted), IocpSockets.SUPPORTED, options);
            c = new IocpConnection(opener, accepted, ipv6, handler, options);
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

    private void reset(long accepted) {
        try {
            IocpSockets.lingerZero(opener.winsock, accepted);
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
    public void loopClosing(IocpRegistration r) {
        // The close hook (run before this) has closed the listener already.
        close();
    }

    @Override
    public void unregistered(IocpRegistration r) {
        for (int i = 0; i < ACCEPTS; i++) {
            opener.closeQuietly(acceptSockets[i], null); // none should be left: each completion closed its own
            acceptSockets[i] = 0;
        }
        opener.closeQuietly(socket, null);
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
            onLoop(() -> {
                if (closeHook != null) {
                    closeHook.cancel();
                }
                registration.close(); // cancels the accepts; unregistered() closes the socket
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
            // The loop has ended, and its close closed the listener.
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
