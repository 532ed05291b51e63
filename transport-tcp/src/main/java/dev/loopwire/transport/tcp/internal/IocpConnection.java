// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.IocpCompletion;
import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpHandler;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.WinsockCalls;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * A TCP connection driven through {@link IocpPort}: {@code ConnectEx} (bounded by a
 * {@link Timers} timeout; the socket was bound by the opener), one {@code WSARecv} posted at a
 * time into the connection's receive block, one {@code WSASend} in flight at a time (so bytes
 * leave in order) from its send block, {@code shutdown(SD_SEND)} for the FIN, and
 * {@code SO_LINGER} {on, 0} before the close for an abort.
 *
 * <p>Reads: each completed receive goes to {@code onData} as a read-only view of the receive
 * block, valid during the call, and the receive is posted again when the handler returns; a
 * buffered handler gets the bytes copied into its own buffer. A receive already posted when
 * reading is paused is left posted (IOCP cannot take bytes back); what it brings is held and
 * delivered first on {@code resumeReading}. Writes: the queue's head buffers are copied into
 * the send block (up to {@value #SEND_BLOCK} bytes) and sent; the queue's positions advance only
 * by what Windows took.
 *
 * <p><b>Concurrency.</b> As {@link BaseConnection}; the registration and the I/O state are
 * touched on the loop thread only.
 */
final class IocpConnection extends BaseConnection implements IocpHandler {

    /** Bytes per send, copied from the queue. */
    static final int SEND_BLOCK = 64 << 10;
    /** The largest receive block, whatever {@link TcpOptions#readBufferSize()} says. */
    static final int MAX_RECEIVE_BLOCK = 256 << 10;

    private static final long TAG_CONNECT = 1;
    private static final long TAG_RECV = 2;
    private static final long TAG_SEND = 3;

    private final IocpTcpOpener opener;
    private final WinsockCalls winsock;
    private final long socket;
    private final boolean ipv6;
    private IocpRegistration registration;
    private volatile boolean socketClosing;

    private CompletableFuture<TcpConnection> connecting;
    private CompletableFuture<TcpConnection> failedConnect;
    private IOException connectFailure;
    private Timers.Timeout connectTimeout;

    private NativeBlock receiveBlock;
    private ByteBuffer receiveRaw;
    private ByteBuffer receiveView;
    private boolean receiving;
    private ByteBuffer held;
    private boolean heldEnd;
    private boolean heldDeliveryScheduled;

    private NativeBlock sendBlock;
    private boolean sending;

    IocpConnection(IocpTcpOpener opener, long socket, boolean ipv6, StreamHandler handler, TcpOptions options) {
        super(opener.loop, handler, options);
        this.opener = opener;
        this.winsock = opener.winsock;
        this.socket = socket;
        this.ipv6 = ipv6;
    }

    // ---- opening

    /** Starts connecting to {@code to}; completes {@code result} when done; loop thread. */
    void connect(InetSocketAddress to, CompletableFuture<TcpConnection> result) {
        remote = to;
        connecting = result;
        associate();
        watchLoopClose();
        try {
            NativeBlock address = registration.allocate(IocpPort.SOCKADDR_STORAGE_SIZE);
            int length = winsock.encode(to, ipv6, address.buffer());
            registration.prepare(IocpFunction.CONNECT_EX).address(address, 0, length).tag(TAG_CONNECT).submit();
        } catch (RuntimeException e) {
            failConnect(new SocketException("Connect to '" + TcpChecks.format(to) + "' could not start: " + e));
            return;
        }
        if (!options.connectTimeout().isZero()) {
            connectTimeout = opener.timers.schedule(options.connectTimeout(), this::connectTimedOut);
        }
    }

    /** Starts a connection {@code AcceptEx} accepted (its accept context updated); loop thread. */
    void accepted() throws IOException {
        local = winsock.localAddress(socket);
        remote = winsock.remoteAddress(socket);
        associate();
        watchLoopClose();
        opened();
    }

    private void associate() {
        try {
            registration = opener.port.associate(socket, this);
        } catch (RuntimeException e) {
            opener.closeQuietly(socket, e);
            throw e;
        }
    }

    /** Whether the socket is associated (so that closing goes through the registration). */
    boolean registered() {
        return registration != null;
    }

    private void connectDone(IocpCompletion c) {
        if (connecting == null) {
            return; // timed out or abandoned: the failure is on its way
        }
        if (!c.isSuccess()) {
            IOException e = c.exception();
            if (e instanceof ConnectException) {
                ConnectException named = new ConnectException("Connect to '" + TcpChecks.format(remote) + "' failed: "
                        + e.getMessage() + "; check that a server listens there");
                named.initCause(e);
                e = named;
            }
            failConnect(e);
            return;
        }
        CompletableFuture<TcpConnection> result = connecting;
        connecting = null;
        if (connectTimeout != null) {
            connectTimeout.cancel();
        }
        try {
            IocpSockets.connectContext(winsock, socket);
            local = winsock.localAddress(socket);
        } catch (IOException e) {
            connecting = result;
            failConnect(e);
            return;
        }
        opened();
        result.complete(this);
    }

    private void connectTimedOut() {
        if (connecting != null) {
            failConnect(new SocketTimeoutException("Connect to '" + TcpChecks.format(remote) + "' timed out after "
                    + options.connectTimeout().toMillis() + " ms (TcpOptions.connectTimeout); check that a server"
                    + " listens there and accepts, or raise the timeout"));
        }
    }

    @Override
    void loopClosing() {
        if (connecting != null) {
            failConnect(connectAbandoned());
        } else {
            super.loopClosing();
        }
    }

    /** Ends a connect: the registration closes (cancelling ConnectEx), then the socket, then the stage fails. */
    private void failConnect(IOException failure) {
        failedConnect = connecting;
        connecting = null;
        connectFailure = failure;
        if (connectTimeout != null) {
            connectTimeout.cancel();
        }
        unwatchLoopClose();
        socketClosing = true;
        registration.close();
    }

    // ---- completions

    @Override
    public void complete(IocpRegistration r, IocpCompletion c) {
        long tag = c.tag();
        if (tag == TAG_RECV) {
            received(c);
        } else if (tag == TAG_SEND) {
            sent(c);
        } else if (tag == TAG_CONNECT) {
            connectDone(c);
        }
    }

    @Override
    public void loopClosing(IocpRegistration r) {
        // Nothing here: the loop close hook (run before this) closes the connection gracefully,
        // and the registration closes when that is done. Past the loop's close timeout the loop
        // cancels what is left, and unregistered() still reports the close.
    }

    @Override
    public void unregistered(IocpRegistration r) {
        opener.closeQuietly(socket, null);
        if (failedConnect != null) {
            CompletableFuture<TcpConnection> result = failedConnect;
            failedConnect = null;
            result.completeExceptionally(connectFailure);
        } else {
            socketClosed();
        }
    }

    // ---- reading

    private void received(IocpCompletion c) {
        receiving = false;
        if (c.isCancelled()) {
            return; // the registration is closing
        }
        if (!c.isSuccess()) {
            if (!released()) {
                fail(c.exception());
            }
            return;
        }
        int bytes = c.bytes();
        if (bytes == 0) {
            if (hasHeld()) {
                heldEnd = true;
            } else {
                endOfInput();
            }
            return;
        }
        take(bytes);
        applyReadInterest();
    }

    private void take(int bytes) {
        if (discarding() || released()) {
            return;
        }
        if (!readingNow() || hasHeld()) {
            hold(receiveRaw, 0, bytes);
        } else if (receivesIntoHandlerBuffer()) {
            copyIntoHandler(receiveRaw, 0, bytes);
        } else {
            deliver(receiveView.clear().limit(bytes));
        }
    }

    /** Copies {@code from..to} of received bytes into the buffered handler's buffers. */
    private void copyIntoHandler(ByteBuffer src, int from, int to) {
        while (from < to) {
            if (discarding() || released()) {
                return;
            }
            if (!readingNow()) {
                hold(src, from, to); // paused inside onReceived: keep the rest for resumeReading
                return;
            }
            ByteBuffer into = receiveBuffer();
            if (into == null) {
                return;
            }
            int n = Math.min(into.remaining(), to - from);
            into.put(into.position(), src, from, n);
            into.position(into.position() + n);
            from += n;
            received(n);
        }
    }

    private boolean hasHeld() {
        return held != null && held.position() > 0;
    }

    private void hold(ByteBuffer src, int from, int to) {
        int n = to - from;
        if (held == null || held.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * (held == null ? 0 : held.capacity()),
                    (held == null ? 0 : held.position()) + n));
            if (held != null) {
                bigger.put(held.flip());
            }
            held = bigger;
        }
        held.put(held.position(), src, from, n);
        held.position(held.position() + n);
    }

    /** Hands what arrived while paused to the handler, as a task of its own; then reading goes on. */
    private void deliverHeld() {
        heldDeliveryScheduled = false;
        if (released() || !readingNow() || !hasHeld()) {
            applyReadInterest();
            return;
        }
        ByteBuffer bytes = held.flip();
        held = null;
        if (discarding()) {
            bytes.clear();
        } else if (receivesIntoHandlerBuffer()) {
            copyIntoHandler(bytes, 0, bytes.limit());
        } else {
            deliver(bytes.asReadOnlyBuffer());
        }
        if (heldEnd && !hasHeld()) {
            heldEnd = false;
            endOfInput();
            return;
        }
        applyReadInterest();
    }

    @Override
    void readInterest(boolean on) {
        if (!on || registration == null || !registration.isOpen() || socketClosing) {
            return; // a posted receive stays posted; what it brings while paused is held
        }
        if (hasHeld() || heldEnd) {
            if (!heldDeliveryScheduled) {
                heldDeliveryScheduled = true;
                retryLater(this::deliverHeld);
            }
            return;
        }
        if (!receiving) {
            if (receiveBlock == null) {
                receiveBlock = registration.allocate(Math.min(options.readBufferSize(), MAX_RECEIVE_BLOCK));
                receiveRaw = receiveBlock.buffer();
                receiveView = receiveRaw.asReadOnlyBuffer();
            }
            registration.prepare(IocpFunction.WSA_RECV).buffer(receiveBlock, 0, receiveBlock.size()).tag(TAG_RECV)
                    .submit();
            receiving = true;
        }
    }

    private void retryLater(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The loop has ended; its close released the socket.
        }
    }

    // ---- writing

    @Override
    void flush() {
        if (sending || released() || registration == null || socketClosing) {
            return;
        }
        ByteBuffer[] gather = opener.gather;
        int count = queue.fill(gather);
        if (count == 0) {
            drained();
            return;
        }
        if (sendBlock == null) {
            sendBlock = registration.allocate(SEND_BLOCK);
        }
        ByteBuffer out = sendBlock.buffer();
        int at = 0;
        for (int i = 0; i < count && at < SEND_BLOCK; i++) {
            ByteBuffer b = gather[i];
            int n = Math.min(b.remaining(), SEND_BLOCK - at);
            out.put(at, b, b.position(), n);
            at += n;
        }
        Arrays.fill(gather, 0, count, null);
        registration.prepare(IocpFunction.WSA_SEND).buffer(sendBlock, 0, at).tag(TAG_SEND).submit();
        sending = true;
    }

    private void sent(IocpCompletion c) {
        sending = false;
        if (!c.isSuccess()) {
            if (!released() && !c.isCancelled()) {
                fail(c.exception());
            }
            return;
        }
        advanceQueue(c.bytes());
        consumed(c.bytes());
        if (!released()) {
            flush();
        }
    }

    /** Moves the queue's head positions past {@code bytes} sent from the send block. */
    private void advanceQueue(int bytes) {
        ByteBuffer[] gather = opener.gather;
        int count = queue.fill(gather);
        for (int i = 0; i < count && bytes > 0; i++) {
            ByteBuffer b = gather[i];
            int n = Math.min(b.remaining(), bytes);
            b.position(b.position() + n);
            bytes -= n;
        }
        Arrays.fill(gather, 0, count, null);
    }

    @Override
    void flushLater() {
        flush();
    }

    @Override
    boolean shutdownOutputNow() throws IOException {
        winsock.shutdown(socket, WinsockCalls.SD_SEND); // does not block: the FIN follows what was sent
        return true;
    }

    @Override
    void closeSocket(boolean reset) {
        if (reset) {
            try {
                IocpSockets.lingerZero(winsock, socket);
            } catch (IOException | RuntimeException e) {
                // Not connected any more: there is nothing to reset.
            }
        }
        socketClosing = true;
        registration.close(); // cancels what is in flight; unregistered() closes the socket and reports
    }

    // ---- options

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        checkOpen(option);
        return IocpSockets.get(winsock, socket, option);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        checkOpen(option);
        IocpSockets.set(winsock, socket, option, value);
    }

    private void checkOpen(SocketOption<?> option) throws SocketException {
        // The handle value may be reused once closed: refuse rather than touch another socket.
        if (socketClosing) {
            throw new SocketException("Connection " + this + " is closed; cannot use option '"
                    + (option == null ? null : option.name()) + "'");
        }
    }
}
