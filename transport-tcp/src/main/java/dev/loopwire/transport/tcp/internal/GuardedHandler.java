// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.tcp.BufferedStreamHandler;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * A connection's handler behind guards: whatever a callback throws, {@link Error}s such as
 * {@link StackOverflowError} and {@link OutOfMemoryError} included, goes to {@code onError} and
 * the connection goes on; what {@code onError} or {@code onClose} throws goes to the loop's
 * exception handler. Every provider calls its handler through this class only, so no callback
 * can unwind into a provider's I/O code and leave a socket half-handled.
 *
 * <p><b>Concurrency.</b> Loop thread only, as the handler itself.
 */
final class GuardedHandler {

    private final EventLoop loop;
    private final StreamHandler handler;
    private final BufferedStreamHandler buffered;

    GuardedHandler(EventLoop loop, StreamHandler handler) {
        this.loop = loop;
        this.handler = handler;
        this.buffered = handler instanceof BufferedStreamHandler b ? b : null;
    }

    /** Whether the handler receives into its own buffer. */
    boolean buffered() {
        return buffered != null;
    }

    void open(TcpConnection c) {
        try {
            handler.onOpen(c);
        } catch (Throwable t) {
            error(c, t);
        }
    }

    void data(TcpConnection c, ByteBuffer data) {
        try {
            handler.onData(c, data);
        } catch (Throwable t) {
            error(c, t);
        }
    }

    /**
     * The buffered handler's buffer for the next read, or {@code null} if it threw or gave none
     * usable ({@code null}, read-only, full): reported; the connection cannot read and must close.
     */
    ByteBuffer receiveBuffer(TcpConnection c) {
        ByteBuffer b;
        try {
            b = buffered.receiveBuffer(c);
        } catch (Throwable t) {
            error(c, t);
            return null;
        }
        String problem = b == null ? "null" : b.isReadOnly() ? "a read-only buffer" : !b.hasRemaining() ? "a full buffer" : null;
        if (problem != null) {
            error(c, new IllegalStateException("BufferedStreamHandler.receiveBuffer returned " + problem + " for " + c
                    + "; return a writable buffer with room. The connection is closed: it cannot read"));
            return null;
        }
        return b;
    }

    void received(TcpConnection c, int bytes) {
        try {
            buffered.onReceived(c, bytes);
        } catch (Throwable t) {
            error(c, t);
        }
    }

    /** The handler's choice at the peer's FIN; a throwing handler chose the default, to close. */
    boolean stayHalfOpen(TcpConnection c) {
        try {
            return handler.onEndOfInput(c);
        } catch (Throwable t) {
            error(c, t);
            return false;
        }
    }

    void writability(TcpConnection c, boolean writable) {
        try {
            handler.onWritabilityChanged(c, writable);
        } catch (Throwable t) {
            error(c, t);
        }
    }

    /** Gives an owned buffer back through its release callback. */
    void release(TcpConnection c, Consumer<? super ByteBuffer> release, ByteBuffer buffer) {
        try {
            release.accept(buffer);
        } catch (Throwable t) {
            error(c, t);
        }
    }

    /** Passes {@code t} to {@code onError}; what that throws goes to the loop's exception handler. */
    void error(TcpConnection c, Throwable t) {
        try {
            handler.onError(c, t);
        } catch (Throwable again) {
            Guards.toLoop(loop, again, "StreamHandler.onError threw for " + c);
        }
    }

    void close(TcpConnection c) {
        try {
            handler.onClose(c);
        } catch (Throwable t) {
            Guards.toLoop(loop, t, "StreamHandler.onClose threw for " + c);
        }
    }
}
