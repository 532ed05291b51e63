package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A UDP endpoint on a {@link CompletionPort.Datagram}: the loop keeps receives submitted and
 * copies each send into one of its native send slots.
 *
 * <p>On the loop thread with an empty queue, {@code send} hands the datagram straight to the
 * port (the port copies it; nothing is allocated here). The endpoint's own {@link SendQueue}
 * (see {@link BaseEndpoint}) holds datagrams only while every send slot is in flight, and for
 * sends from other threads until the loop takes them; it drains when the port reports
 * {@code writable()}.
 *
 * <p><b>Lifecycle.</b> After {@link #close()} the queue drains into the port, then the port
 * closes the socket and reports {@code closed()} once every operation has been reaped; only
 * then does {@code onClose} run.
 *
 * <p><b>Concurrency.</b> As {@link BaseEndpoint}. The port is called on the loop thread only:
 * {@link #join} and {@link #leave} from other threads hand over and wait.
 */
final class CompletionEndpoint extends BaseEndpoint {

    private final CompletionPort.Datagram datagram;
    private final Set<Membership> memberships = new HashSet<>();
    private boolean awaitingWritable;

    private CompletionEndpoint(EventLoop loop, CompletionPort.Datagram datagram, DatagramHandler handler,
            UdpOptions options, InetSocketAddress local, InetSocketAddress remote) {
        super(loop, handler, options, local, remote);
        this.datagram = datagram;
    }

    /**
     * Opens, configures, binds, connects and starts an endpoint, then completes {@code result}:
     * with the endpoint, or, if onOpen threw, exceptionally with that once the port reported the
     * socket closed (the fd is released by then); loop thread.
     */
    static void open(EventLoop loop, CompletionPort port, InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options, CompletableFuture<? super CompletionEndpoint> result)
            throws IOException {
        Events events = new Events();
        CompletionPort.Datagram datagram = port.openDatagram(UdpChecks.family(local), events);
        try {
            SocketSetup.configure(datagram::setOption, datagram.supportedOptions(), options);
            datagram.bind(local);
            if (remote != null) {
                datagram.connect(remote);
            }
        } catch (IOException | RuntimeException e) {
            datagram.close(); // its closed() finds no endpoint and is ignored
            throw e;
        }
        CompletionEndpoint endpoint = new CompletionEndpoint(loop, datagram, handler, options,
                datagram.localAddress(), remote);
        events.endpoint = endpoint;
        // The port drops and reports a datagram over this size; it never hands one over truncated.
        datagram.startReceiving(options.maxDatagramSize());
        Throwable failure = endpoint.opened();
        if (failure != null) {
            endpoint.openFailed(failure, result);
        } else {
            result.complete(endpoint);
        }
    }

    @Override
    boolean sendNow(ByteBuffer data, InetSocketAddress target) {
        if (!datagram.isOpen()) {
            // The loop closed the socket under us (the loop is closing): reported, not lost silently.
            data.position(data.limit());
            error(UdpChecks.closed(this));
            return true;
        }
        if (datagram.send(data, remote != null ? null : target)) {
            return true;
        }
        awaitingWritable = true;
        return false;
    }

    @Override
    void flushLater() {
        // After a refusal the port reports writable(); otherwise nothing else would drain the queue.
        if (!awaitingWritable) {
            scheduleFlush();
        }
    }

    @Override
    void drained() {
    }

    @Override
    void closeSocket() {
        memberships.clear();
        datagram.close();
    }

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface) throws IOException {
        Membership m = membership(group, networkInterface);
        checkOpen();
        onLoop(() -> {
            if (!memberships.contains(m)) {
                datagram.join(group, networkInterface);
                memberships.add(m);
            }
        });
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface) {
        Membership m = membership(group, networkInterface);
        try {
            onLoop(() -> {
                if (memberships.remove(m) && datagram.isOpen()) {
                    datagram.leave(group, networkInterface);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface PortCall {
        void run() throws IOException;
    }

    /** Runs a port call on the loop thread and waits for it. */
    private void onLoop(PortCall call) throws IOException {
        if (loop.inLoop()) {
            call.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                call.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for loop '" + loop.name() + "'");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The port's events, passed on once the endpoint exists. */
    private static final class Events implements CompletionPort.DatagramListener {
        private CompletionEndpoint endpoint;

        @Override
        public void received(ByteBuffer data, InetSocketAddress sender) {
            endpoint.deliver(data, sender);
        }

        @Override
        public void oversized(int length, int maxDatagramSize, InetSocketAddress sender) {
            endpoint.tooLarge(sender);
        }

        @Override
        public void writable() {
            endpoint.awaitingWritable = false;
            if (!endpoint.released()) {
                endpoint.flush();
            }
        }

        @Override
        public void failed(IOException error) {
            if (endpoint != null) {
                endpoint.ioError(error);
            }
        }

        @Override
        public void closed() {
            if (endpoint != null) {
                endpoint.socketClosed();
            }
        }
    }
}
