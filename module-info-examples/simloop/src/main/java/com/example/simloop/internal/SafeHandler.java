// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;

/**
 * Calls a user's {@link DatagramHandler} so that nothing it throws, {@code Error}s such as
 * {@code StackOverflowError} included, escapes into the endpoint: what {@code onDatagram} and
 * {@code onWritabilityChanged} throw goes to {@code onError}; what {@code onError} and
 * {@code onClose} throw goes to the loop, which passes it to its exception handler (the same instance)
 * and goes on. What {@code onOpen} throws is returned, for the binder to fail the bind with.
 *
 * <p><b>Concurrency.</b> Loop thread only, like the callbacks it makes.
 */
final class SafeHandler {

    private static final System.Logger LOG = System.getLogger(SafeHandler.class.getName());

    private final EventLoop loop;
    private final DatagramHandler handler;

    SafeHandler(EventLoop loop, DatagramHandler handler) {
        this.loop = loop;
        this.handler = handler;
    }

    /** Calls {@code onOpen}; returns what it threw, or {@code null}. */
    Throwable open(DatagramEndpoint endpoint) {
        try {
            handler.onOpen(endpoint);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    void datagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
        try {
            handler.onDatagram(endpoint, data, sender);
        } catch (Throwable t) {
            error(endpoint, t);
        }
    }

    void writabilityChanged(DatagramEndpoint endpoint, boolean writable) {
        try {
            handler.onWritabilityChanged(endpoint, writable);
        } catch (Throwable t) {
            error(endpoint, t);
        }
    }

    void error(DatagramEndpoint endpoint, Throwable error) {
        try {
            handler.onError(endpoint, error);
        } catch (Throwable t) {
            toLoop("onError", endpoint, t);
        }
    }

    void close(DatagramEndpoint endpoint) {
        try {
            handler.onClose(endpoint);
        } catch (Throwable t) {
            toLoop("onClose", endpoint, t);
        }
    }

    /**
     * Hands {@code t} to the loop as a task that rethrows it, so the endpoint's own step (a flush,
     * a close) finishes first; logged here if the loop takes no more tasks.
     */
    private void toLoop(String callback, DatagramEndpoint endpoint, Throwable t) {
        try {
            loop.execute(() -> {
                if (t instanceof RuntimeException e) {
                    throw e;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException("DatagramHandler." + callback + " threw on " + endpoint, t);
            });
        } catch (RejectedExecutionException closedLoop) {
            LOG.log(System.Logger.Level.WARNING, "DatagramHandler." + callback + " threw on " + endpoint, t);
        }
    }
}
