// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
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
 * A TCP connection driven through {@link UringPort}: {@code CONNECT} (bounded by a
 * {@link Timers} timeout), one multishot {@code RECV} selecting from the loop's shared
 * provided-buffer group, one {@code SEND} in flight at a time (so bytes leave in order), and
 * {@code SHUTDOWN} for the FIN.
 *
 * <p>Reads: each received buffer goes to {@code onData} as a read-only view, valid during the
 * call; a buffered handler gets the bytes copied into its own buffer. Bytes that arrive after
 * {@code pauseReading} (a receive already completed in the kernel) are held and delivered first
 * on {@code resumeReading}, so a paused connection never sees {@code onData}. Writes: what is
 * written on the loop thread with nothing queued is copied into a direct staging buffer and sent
 * at once; the queue is sent from its head, a direct (owned) buffer as it is, heap copies
 * gathered into a staging buffer. The queue's positions advance only by what the kernel took.
 *
 * <p><b>Concurrency.</b> As {@link BaseConnection}; the registration and the I/O state are
 * touched on the loop thread only.
 */
final class UringConnection extends BaseConnection implements UringHandler {

    private static final long TAG_CONNECT = 1;
    private static final long TAG_RECV = 2;
    private static final long TAG_SEND = 3;
    private static final long TAG_SHUTDOWN = 4;

    private final UringTcpOpener opener;
    private final PosixCalls posix;
    private final int fd;
    private final boolean ipv6;
    private final UringBufferGroup group;
    private final ByteBuffer[] views;
    private UringRegistration registration;
    private volatile boolean fdClosing;

    private CompletableFuture<TcpConnection> connecting;
    private CompletableFuture<TcpConnection> failedConnect;
    private IOException connectFailure;
    private Timers.Timeout connectTimeout;

    private long recvOp = -1;
    private boolean recvCancelled;
    private ByteBuffer held;
    private boolean heldEnd;
    private boolean heldDeliveryScheduled;

    private boolean sending;
    private ByteBuffer staging;
    private boolean stagedOutsideQueue;
    private int stagedEnd;
    private ByteBuffer directSent;

    UringConnection(UringTcpOpener opener, int fd, boolean ipv6, StreamHandler handler, TcpOptions options) {
        super(opener.loop, handler, options);
        this.opener = opener;
        this.posix = opener.posix;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.group = opener.port.bufferGroup(Math.min(options.readBufferSize(), UringTcpOpener.MAX_RECEIVE_BUFFER));
        this.views = opener.views(group);
    }

    // ---- opening

    /** Starts connecting to {@code to}; completes {@code result} when done; loop thread. */
    void connect(InetSocketAddress to, CompletableFuture<TcpConnection> result) {
        remote = to;
        connecting = result;
        try {
            registration = opener.port.register(fd, this);
        } catch (RuntimeException e) {
            opener.closeQuietly(fd, e);
            throw e;
        }
        watchLoopClose();
        try {
            NativeBlock address = registration.allocate(PosixCalls.SOCKADDR_SIZE);
            int length = posix.encode(to, ipv6, address.buffer());
            registration.prepare(UringPort.OP_CONNECT).addr(address, 0).offset(length).tag(TAG_CONNECT).submit();
        } catch (RuntimeException e) {
            failConnect(new SocketException("Connect to '" + TcpChecks.format(to) + "' could not start: " + e));
            return;
        }
        if (!options.connectTimeout().isZero()) {
            connectTimeout = opener.timers.schedule(options.connectTimeout(), this::connectTimedOut);
        }
    }

    /** Starts an accepted connection; loop thread. */
    void accepted() throws IOException {
        local = posix.localAddress(fd);
        remote = posix.remoteAddress(fd);
        registration = opener.port.register(fd, this);
        watchLoopClose();
        opened();
    }

    /** Whether the fd is registered (so that closing goes through the registration). */
    boolean registered() {
        return registration != null;
    }

    private void connectDone(int res) {
        if (connecting == null) {
            return; // timed out or abandoned: the failure is on its way
        }
        if (res < 0) {
            IOException e = UringSockets.failure(res, "connect");
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
            local = posix.localAddress(fd);
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

    /** Ends a connect: the registration closes, and once it is gone the fd, then the stage fails. */
    private void failConnect(IOException failure) {
        failedConnect = connecting;
        connecting = null;
        connectFailure = failure;
        if (connectTimeout != null) {
            connectTimeout.cancel();
        }
        unwatchLoopClose();
        fdClosing = true;
        registration.close();
    }

    // ---- completions

    @Override
    public void complete(UringRegistration r, UringCompletion c) {
        int tag = (int) c.tag();
        if (tag == TAG_RECV) {
            received(c);
        } else if (tag == TAG_SEND) {
            sent(c.result());
        } else if (tag == TAG_CONNECT) {
            connectDone(c.result());
        } else if (tag == TAG_SHUTDOWN) {
            if (!released()) {
                shutdownDone(c.result() < 0 ? UringSockets.failure(c.result(), "shutdown") : null);
            }
        }
    }

    @Override
    public void loopClosing(UringRegistration r) {
        // Nothing here: the loop close hook (run before this) closes the connection gracefully,
        // and the registration closes when that is done. Past the loop's close timeout the loop
        // cancels what is left, and unregistered() still reports the close.
    }

    @Override
    public void unregistered(UringRegistration r) {
        opener.closeQuietly(fd, null);
        if (staging != null) {
            opener.giveBack(staging);
            staging = null;
        }
        if (failedConnect != null) {
            CompletableFuture<TcpConnection> result = failedConnect;
            failedConnect = null;
            result.completeExceptionally(connectFailure);
        } else {
            socketClosed();
        }
    }

    // ---- reading

    private void received(UringCompletion c) {
        if (c.isFinal()) {
            recvOp = -1;
            recvCancelled = false;
        }
        int res = c.result();
        if (res > 0) {
            take(c.buffer(), c.bufferId(), res);
        } else if (res == 0) {
            if (hasHeld()) {
                heldEnd = true;
            } else {
                endOfInput();
            }
            return;
        } else if (res != -UringSockets.ENOBUFS && res != -UringSockets.ECANCELED) {
            if (!released()) {
                fail(UringSockets.failure(res, "receive"));
            }
            return;
        }
        if (recvOp == -1) {
            applyReadInterest(); // the multishot receive ended (buffers ran out, or cancelled): again if wanted
        }
    }

    private void take(ByteBuffer buffer, int bufferId, int bytes) {
        if (discarding() || released()) {
            return;
        }
        if (!readingNow() || hasHeld()) {
            hold(buffer, 0, bytes);
        } else if (receivesIntoHandlerBuffer()) {
            copyIntoHandler(buffer, 0, bytes);
        } else {
            ByteBuffer view = views[bufferId];
            if (view == null) { // one group per size class and loop: a buffer id always names the same memory
                view = buffer.asReadOnlyBuffer();
                views[bufferId] = view;
            }
            deliver(view.clear().limit(bytes));
        }
    }

    /** Copies {@code from..to} of a received buffer into the buffered handler's buffers. */
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
        if (registration == null || !registration.isOpen()) {
            return;
        }
        if (!on) {
            if (recvOp != -1 && !recvCancelled) {
                recvCancelled = registration.cancel(recvOp);
            }
            return;
        }
        if (hasHeld() || heldEnd) {
            if (!heldDeliveryScheduled) {
                heldDeliveryScheduled = true;
                retryLater(this::deliverHeld);
            }
            return;
        }
        if (recvOp == -1) {
            try {
                recvOp = registration.prepare(UringPort.OP_RECV).bufferGroup(group).ioprio(UringPort.RECV_MULTISHOT)
                        .tag(TAG_RECV).submit();
                recvCancelled = false;
            } catch (RejectedExecutionException e) {
                retryLater(this::applyReadInterest); // submission queue full: next turn
            }
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
    int writeNow(ByteBuffer data) {
        if (registration == null || fdClosing) {
            return 0;
        }
        if (staging != null && stagedOutsideQueue) {
            // Appended after the range of the send in flight, which the kernel reads from
            // [position, limit) only; sent when that send completes, before anything queued.
            int n = Math.min(data.remaining(), staging.capacity() - stagedEnd);
            staging.limit(staging.capacity()); // the submitted send took its length already
            staging.put(stagedEnd, data, data.position(), n);
            stagedEnd += n;
            data.position(data.position() + n);
            return n;
        }
        if (sending || staging != null) {
            return 0;
        }
        ByteBuffer out = opener.takeStaging();
        int n = Math.min(data.remaining(), out.capacity());
        out.put(0, data, data.position(), n).limit(n);
        if (!send(out)) {
            opener.giveBack(out);
            return 0;
        }
        data.position(data.position() + n);
        staging = out;
        stagedOutsideQueue = true;
        stagedEnd = n;
        return n;
    }

    @Override
    void flush() {
        if (sending || released() || registration == null) {
            return;
        }
        if (staging != null && stagedOutsideQueue) {
            send(staging.limit(stagedEnd)); // the rest of what was written at once, before anything queued
            return;
        }
        ByteBuffer[] gather = opener.gather;
        int count = queue.fill(gather);
        if (count == 0) {
            drained();
            return;
        }
        if (gather[0].isDirect()) {
            directSent = gather[0];
            Arrays.fill(gather, 0, count, null);
            if (!send(directSent)) {
                directSent = null;
            }
            return;
        }
        ByteBuffer out = opener.takeStaging();
        int at = 0;
        for (int i = 0; i < count && at < out.capacity(); i++) {
            ByteBuffer b = gather[i];
            int n = Math.min(b.remaining(), out.capacity() - at);
            out.put(at, b, b.position(), n);
            at += n;
        }
        Arrays.fill(gather, 0, count, null);
        out.limit(at);
        if (send(out)) {
            staging = out;
            stagedOutsideQueue = false;
        } else {
            opener.giveBack(out);
        }
    }

    /** Submits one send of {@code buffer}'s remaining bytes; {@code false} (retried next turn) if the ring is full. */
    private boolean send(ByteBuffer buffer) {
        try {
            registration.prepare(UringPort.OP_SEND).addr(buffer).opFlags(UringSockets.MSG_NOSIGNAL).tag(TAG_SEND).submit();
            sending = true;
            return true;
        } catch (RejectedExecutionException e) {
            retryLater(this::flush);
            return false;
        }
    }

    private void sent(int res) {
        sending = false;
        ByteBuffer out = staging;
        ByteBuffer direct = directSent;
        boolean outside = direct == null && stagedOutsideQueue;
        directSent = null;
        if (res < 0) {
            if (out != null) {
                staging = null;
                stagedOutsideQueue = false;
                opener.giveBack(out);
            }
            if (!released()) {
                fail(UringSockets.failure(res, "send"));
            }
            return;
        }
        if (outside) {
            out.position(out.position() + res).limit(stagedEnd);
            if (!out.hasRemaining()) {
                staging = null;
                stagedOutsideQueue = false;
                opener.giveBack(out);
            }
        } else {
            if (direct != null) {
                direct.position(direct.position() + res);
            } else {
                staging = null;
                opener.giveBack(out);
                advanceQueue(res);
            }
            consumed(res);
        }
        if (!released()) {
            flush();
        }
    }

    /** Moves the queue's head positions past {@code bytes} sent from a staging copy. */
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
        if (!opener.port.supports(UringPort.OP_SHUTDOWN)) {
            posix.shutdown(fd, PosixCalls.SHUT_WR);
            return true;
        }
        try {
            registration.prepare(UringPort.OP_SHUTDOWN).len(PosixCalls.SHUT_WR).tag(TAG_SHUTDOWN).submit();
            return false;
        } catch (RejectedExecutionException e) {
            posix.shutdown(fd, PosixCalls.SHUT_WR);
            return true;
        }
    }

    @Override
    void closeSocket(boolean reset) {
        if (reset) {
            try {
                UringSockets.lingerZero(posix, fd);
            } catch (IOException | RuntimeException e) {
                // Not connected any more: there is nothing to reset.
            }
        }
        fdClosing = true;
        registration.close(); // cancels what is in flight; unregistered() closes the fd and reports
    }

    // ---- options

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        checkOpen(option);
        return UringSockets.get(posix, fd, option);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        checkOpen(option);
        UringSockets.set(posix, fd, option, value);
    }

    private void checkOpen(SocketOption<?> option) throws SocketException {
        // The fd number may be reused once closed: refuse rather than touch another socket.
        if (fdClosing) {
            throw new SocketException("Connection " + this + " is closed; cannot use option '"
                    + (option == null ? null : option.name()) + "'");
        }
    }
}
