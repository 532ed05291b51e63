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
 * on {@code resumeReading}, so a paused connection never sees {@code onData}. Writes: every
 * write is queued, copied into the loop's pooled direct chunks (or, with {@code writeNoCopy},
 * the owned buffer itself), and the queue is sent from its head with one {@code SEND} or a
 * gathering {@code SENDMSG}; the queue's positions advance only by what the kernel took.
 *
 * <p><b>Concurrency.</b> As {@link BaseConnection}; the registration and the I/O state are
 * touched on the loop thread only.
 */
final class UringConnection extends BaseConnection implements UringHandler {

    private static final long TAG_CONNECT = 1;
    private static final long TAG_RECV = 2;
    private static final long TAG_SEND = 3;
    private static final long TAG_SHUTDOWN = 4;
    /** Buffers gathered by one {@code SENDMSG} at most. */
    static final int MAX_IOV = 64;
    /** Where the {@code iovec} array starts in the send header block (after the 56-byte {@code msghdr}). */
    private static final int IOV_AT = 64;

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
    private final HeldBytes held;
    // Made once, so that rescheduling allocates nothing (a method reference per call would).
    private final Runnable deliverHeldTask = this::deliverHeld;
    private final Runnable applyReadInterestTask = this::applyReadInterest;
    private final Runnable flushAgainTask = this::flush;
    private boolean heldEnd;
    private boolean heldDeliveryScheduled;

    private boolean sending;
    /** The last send found the socket full (EAGAIN): the next one waits for room in the kernel. */
    private boolean pollFirst;
    private NativeBlock header;
    private ByteBuffer headerView;

    UringConnection(UringTcpOpener opener, int fd, boolean ipv6, StreamHandler handler, TcpOptions options) {
        super(opener.loop, handler, options, opener.chunks);
        this.opener = opener;
        this.posix = opener.posix;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.group = opener.port.bufferGroup(Math.min(options.readBufferSize(), UringTcpOpener.MAX_RECEIVE_BUFFER));
        this.views = opener.views(group);
        this.held = new HeldBytes(opener.heldChunks);
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
        return !held.isEmpty();
    }

    private void hold(ByteBuffer src, int from, int to) {
        held.hold(src, from, to);
    }

    /** Hands what arrived while paused to the handler, as a task of its own; then reading goes on. */
    private void deliverHeld() {
        heldDeliveryScheduled = false;
        if (released() || !readingNow() || !hasHeld()) {
            applyReadInterest();
            return;
        }
        int count = held.count();
        HeldBytes.Chunk[] chunks = held.takeAll();
        for (int i = 0; i < count; i++) {
            HeldBytes.Chunk c = chunks[i];
            chunks[i] = null;
            if (released()) {
                continue; // the connection ended inside a call: the rest is dropped
            }
            if (!readingNow() && !discarding()) {
                held.putBack(c); // paused inside a call: the rest waits for the next resume
                continue;
            }
            if (discarding()) {
                // closing: read and dropped
            } else if (receivesIntoHandlerBuffer()) {
                copyIntoHandler(c.data, 0, c.data.limit());
            } else {
                deliver(c.bytes());
            }
            held.done(c);
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
                retryLater(deliverHeldTask);
            }
            return;
        }
        if (recvOp == -1) {
            try {
                recvOp = registration.prepare(UringPort.OP_RECV).bufferGroup(group).ioprio(UringPort.RECV_MULTISHOT)
                        .tag(TAG_RECV).submit();
                recvCancelled = false;
            } catch (RejectedExecutionException e) {
                retryLater(applyReadInterestTask); // submission queue full: next turn
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

    /**
     * Sends the queue from its head, if no send is in flight: one {@code SEND} for one buffer, one
     * {@code SENDMSG} gathering up to {@link #MAX_IOV} buffers otherwise. Every queued buffer is
     * direct (the queue's copies are the opener's pooled chunks, owned buffers are direct), so the
     * kernel reads them where they are. A write on the loop thread is queued (copied into the
     * tail chunk) and sent from here at once when nothing is in flight; while a send is in
     * flight, writes gather behind it and leave together when it completes. Lengths are those
     * seen under the queue's lock: a writer on another thread may be appending to the last chunk.
     */
    @Override
    void flush() {
        if (sending || released() || registration == null || fdClosing) {
            return;
        }
        ByteBuffer[] gather = opener.gather;
        int[] lengths = opener.lengths;
        int count = queue.fill(gather, lengths);
        if (count == 0) {
            drained();
            return;
        }
        try {
            if (count == 1) {
                registration.prepare(UringPort.OP_SEND).addr(gather[0]).len(lengths[0])
                        .ioprio(pollFirst ? UringSockets.RECVSEND_POLL_FIRST : 0)
                        .opFlags(UringSockets.MSG_NOSIGNAL).tag(TAG_SEND).submit();
            } else {
                submitSendmsg(gather, lengths, Math.min(count, MAX_IOV));
            }
            sending = true;
        } catch (RejectedExecutionException e) {
            retryLater(flushAgainTask); // submission queue full: next turn
        } finally {
            Arrays.fill(gather, 0, count, null);
        }
    }

    /** The {@code msghdr} and its {@code iovec} array, in one block written once per send. */
    private void submitSendmsg(ByteBuffer[] buffers, int[] lengths, int count) {
        if (header == null) {
            header = registration.allocate(IOV_AT + 16 * MAX_IOV);
            headerView = header.buffer();
            header.putAddress(16, header, IOV_AT); // msg_iov; msg_name, msg_control stay 0
        }
        for (int i = 0; i < count; i++) {
            header.putAddress(IOV_AT + 16 * i, buffers[i]); // iov_base, from the buffer's position
            headerView.putLong(IOV_AT + 16 * i + 8, lengths[i]); // iov_len: the bytes seen under the queue's lock
        }
        headerView.putLong(24, count); // msg_iovlen
        registration.prepare(UringPort.OP_SENDMSG).addr(header, 0).len(1).opFlags(UringSockets.MSG_NOSIGNAL)
                .ioprio(pollFirst ? UringSockets.RECVSEND_POLL_FIRST : 0).tag(TAG_SEND).submit();
    }

    @Override
    boolean sendInFlight() {
        return sending;
    }

    private void sent(int res) {
        sending = false;
        if (res == -UringSockets.EAGAIN) {
            // Nothing was sent: not a failure (it once dropped the queue and closed early). Send
            // again, this time waiting in the kernel for room rather than spinning.
            pollFirst = true;
            if (!released()) {
                flush();
            }
            return;
        }
        pollFirst = false;
        if (res < 0) {
            if (!released()) {
                fail(UringSockets.failure(res, "send"));
            }
            return;
        }
        advanceQueue(res);
        consumed(res);
        if (!released()) {
            flush();
        }
    }

    /** Moves the queue's head positions past {@code bytes} the kernel took. */
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
