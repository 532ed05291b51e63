// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The loopwire TCP echo server, written as a user would: {@code Tcp.listen} on a loop opened by
 * name, one shared {@link StreamHandler} whose {@code onData} writes the bytes straight back with
 * {@link TcpConnection#write}. On the loop thread with nothing queued, {@code write} sends at once
 * without copying; what the socket does not take is copied into the queue.
 *
 * <p>Back-pressure as the API intends it: {@code onWritabilityChanged(false)} (the queue above
 * its high water mark, 64 KiB by default) pauses reading, {@code true} resumes it. Options are
 * {@link TcpOptions#defaults()} (no-delay on, backlog {@value TcpEchoOptions#BACKLOG}).
 *
 * <p>Failures are counted, not hidden: writes refused at the queue's hard bound and connection
 * errors are printed on close (the first few errors at once). Lifecycle and thread-safety as in
 * {@link TcpEchoServer}.
 */
public class LoopwireTcpEchoServer implements TcpEchoServer {

    private final TcpEchoOptions options;
    private final String loopName;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private EventLoop loop;
    private TcpListener listener;

    /** Creates a server for the loop kind {@code loopName} (see {@code EventLoops.open(String)}). */
    public LoopwireTcpEchoServer(TcpEchoOptions options, String loopName) {
        this.options = options;
        this.loopName = loopName;
    }

    @Override
    public InetSocketAddress start() throws IOException {
        loop = EventLoops.open(loopName);
        StreamHandler echo = new StreamHandler() {
            @Override
            public void onData(TcpConnection connection, ByteBuffer data) {
                if (!connection.write(data)) {
                    refused.incrementAndGet();
                }
            }

            @Override
            public void onWritabilityChanged(TcpConnection connection, boolean writable) {
                if (writable) {
                    connection.resumeReading();
                } else {
                    connection.pauseReading();
                }
            }

            @Override
            public void onError(TcpConnection connection, Throwable error) {
                if (errors.getAndIncrement() < 5) {
                    System.err.println("loopwire tcp echo: " + connection + ": " + error);
                }
            }
        };
        try {
            listener = Tcp.listen(options.bind(), () -> echo, TcpOptions.defaults(), loop)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            loop.close();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("Cannot listen with loopwire on " + options.bind() + ": " + cause.getMessage(), cause);
        }
        System.err.println(Transports.explain(loop, Tcp.OPEN).chosen().map(c -> "provider " + c.name()).orElse(""));
        return listener.localAddress();
    }

    @Override
    public void close() {
        if (listener != null) {
            try {
                listener.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                System.err.println("closing the listener: " + e);
            }
        }
        if (loop != null) {
            loop.close(); // its close hook closes the connections still open
        }
        if (refused.get() > 0 || errors.get() > 0) {
            System.err.println("loopwire tcp echo: " + refused.get() + " writes refused at the queue's hard bound, "
                    + errors.get() + " connection errors");
        }
    }

    @Override
    public String toString() {
        return "loopwire-tcp-echo(" + loopName + ")[" + options.bind() + "]";
    }
}
