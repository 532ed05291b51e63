// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP connection on a non-blocking {@link SocketChannel} watched through {@link FdReadiness}.
 *
 * <p>Reads: up to {@link TcpOptions#readsPerEvent()} reads per readiness event, into the loop's
 * shared buffer (or the handler's own, for a buffered handler), stopping early once a read
 * comes back short. Writes: gathering writes of up to {@value ReadinessTcpOpener#MAX_GATHER}
 * queued buffers; write interest is on only while a write is partial.
 *
 * <p><b>Concurrency.</b> As {@link BaseConnection}; the registration is touched on the loop
 * thread only.
 */
final class ReadinessConnection extends BaseConnection {

    private final ReadinessTcpOpener opener;
    private final SocketChannel channel;
    private FdReadiness.Registration registration;
    private CompletableFuture<TcpConnection> connecting;
    private Timers.Timeout connectTimeout;
    private boolean waitingToWrite;
    private IOException writeFailure;

    ReadinessConnection(ReadinessTcpOpener opener, SocketChannel channel, StreamHandler handler, TcpOptions options) {
        super(opener.loop, handler, options);
        this.opener = opener;
        this.channel = channel;
    }

    // ---- opening

    /** Starts connecting to {@code to}; completes {@code result} when done; loop thread. */
    void connect(InetSocketAddress to, CompletableFuture<TcpConnection> result) throws IOException {
        remote = to;
        connecting = result;
        boolean done;
        try {
            done = channel.connect(to);
        } catch (IOException e) {
            throw named(e);
        }
        registration = opener.readiness.register(channel, done ? 0 : SelectionKey.OP_CONNECT, (r, ops) -> ready(ops));
        watchLoopClose();
        if (done) {
            established();
        } else if (!options.connectTimeout().isZero()) {
            connectTimeout = opener.timers.schedule(options.connectTimeout(), this::connectTimedOut);
        }
    }

    /** Starts an accepted connection; loop thread. */
    void accepted() throws IOException {
        local = (InetSocketAddress) channel.getLocalAddress();
        remote = (InetSocketAddress) channel.getRemoteAddress();
        registration = opener.readiness.register(channel, 0, (r, ops) -> ready(ops));
        watchLoopClose();
        opened();
    }

    private void finishConnect() {
        try {
            if (channel.finishConnect()) {
                established();
            }
        } catch (IOException e) {
            connectFailed(e);
        }
    }

    private void established() {
        CompletableFuture<TcpConnection> result = connecting;
        connecting = null;
        if (connectTimeout != null) {
            connectTimeout.cancel();
        }
        try {
            local = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            connectFailed(e);
            return;
        }
        opened();
        result.complete(this);
    }

    private void connectTimedOut() {
        if (connecting != null) {
            connectFailed(new SocketTimeoutException("Connect to '" + TcpChecks.format(remote) + "' timed out after "
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

    private void connectFailed(IOException e) {
        failConnect(named(e));
    }

    private void failConnect(IOException failure) {
        CompletableFuture<TcpConnection> result = connecting;
        connecting = null;
        unwatchLoopClose();
        if (connectTimeout != null) {
            connectTimeout.cancel();
        }
        opener.cancelAndClose(registration, channel, false, () -> result.completeExceptionally(failure));
    }

    /** A refused connect, as a {@link ConnectException} that names the address. */
    private IOException named(IOException e) {
        if (!(e instanceof ConnectException)) {
            return e;
        }
        ConnectException named = new ConnectException("Connect to '" + TcpChecks.format(remote) + "' failed: "
                + e.getMessage() + "; check that a server listens there");
        named.initCause(e);
        return named;
    }

    // ---- readiness

    private void ready(int ops) {
        if (connecting != null) {
            if ((ops & SelectionKey.OP_CONNECT) != 0) {
                finishConnect();
            }
            return;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && !released()) {
            flush();
        }
        if ((ops & SelectionKey.OP_READ) != 0 && !released()) {
            read();
        }
    }

    private void read() {
        for (int i = 0; i < options.readsPerEvent(); i++) {
            if (released() || !readingNow()) {
                return;
            }
            boolean own = receivesIntoHandlerBuffer();
            ByteBuffer buffer = own ? receiveBuffer() : opener.readBuffer(options.readBufferSize());
            if (buffer == null) {
                return;
            }
            int room = buffer.remaining();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                fail(e);
                return;
            }
            if (n < 0) {
                endOfInput();
                return;
            }
            if (n == 0) {
                return;
            }
            if (own) {
                received(n);
            } else {
                deliver(opener.readView(n));
            }
            if (n < room) {
                return; // the socket is drained; a level-triggered loop tells again when more comes
            }
        }
    }

    private void updateInterest() {
        if (registration == null || !registration.isValid() || released()) {
            return;
        }
        int ops = (readingNow() ? SelectionKey.OP_READ : 0) | (waitingToWrite ? SelectionKey.OP_WRITE : 0);
        if (registration.interestOps() != ops) {
            registration.interestOps(ops);
        }
    }

    /** The interest bits now registered, for tests; loop thread. */
    int registeredInterest() {
        return registration.isValid() ? registration.interestOps() : -1;
    }

    // ---- what BaseConnection asks of a provider

    @Override
    int writeNow(ByteBuffer data) {
        try {
            return channel.write(data);
        } catch (IOException e) {
            writeFailure = e;
            return 0;
        }
    }

    @Override
    IOException takeWriteFailure() {
        IOException e = writeFailure;
        writeFailure = null;
        return e;
    }

    @Override
    void flush() {
        ByteBuffer[] gather = opener.gather;
        // A bounded number of rounds, so that writers on other threads cannot keep the loop
        // writing to one socket forever; the rest goes on the next turn (write interest is on).
        for (int round = 0; round < 16; round++) {
            if (released()) {
                return;
            }
            int count = queue.fill(gather);
            if (count == 0) {
                waitToWrite(false);
                drained();
                return;
            }
            long batch = 0;
            for (int i = 0; i < count; i++) {
                batch += gather[i].remaining();
            }
            long written;
            try {
                written = channel.write(gather, 0, count);
            } catch (IOException e) {
                Arrays.fill(gather, 0, count, null);
                fail(e);
                return;
            }
            Arrays.fill(gather, 0, count, null);
            boolean empty = consumed(written);
            if (written < batch && !empty) {
                waitToWrite(true);
                return;
            }
        }
        waitToWrite(true);
    }

    @Override
    void flushLater() {
        waitToWrite(true);
    }

    private void waitToWrite(boolean on) {
        if (waitingToWrite != on) {
            waitingToWrite = on;
            updateInterest();
        }
    }

    @Override
    boolean shutdownOutputNow() throws IOException {
        channel.shutdownOutput();
        return true;
    }

    @Override
    void readInterest(boolean on) {
        updateInterest();
    }

    @Override
    void closeSocket(boolean reset) {
        opener.cancelAndClose(registration, channel, reset, this::socketClosed);
    }

    // ---- options

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return channel.getOption(option);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        channel.setOption(option, value);
    }
}
