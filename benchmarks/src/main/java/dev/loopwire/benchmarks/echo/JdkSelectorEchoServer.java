// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * The hand-written JDK echo server: a non-blocking {@link DatagramChannel} on a {@link Selector},
 * the shape a careful NIO programmer writes without a framework.
 *
 * <p>On OP_READ it receives until the socket would block, into one reused direct buffer, and
 * sends each datagram straight back. When a send finds the socket full, the datagram stays in the
 * buffer, the key switches to OP_WRITE, and reading pauses until that datagram is out: nothing is
 * dropped by the server and nothing queues without bound.
 *
 * <p>Lifecycle and thread-safety as in {@link EchoServer}; all socket work happens on the one
 * thread named {@code jdk-selector-echo}.
 */
public final class JdkSelectorEchoServer implements EchoServer {

    private static final System.Logger LOG = System.getLogger(JdkSelectorEchoServer.class.getName());

    private final EchoOptions options;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
    private volatile boolean running;
    private Selector selector;
    private DatagramChannel channel;
    private SelectionKey key;
    private Thread thread;
    /** Where the datagram held in {@link #buffer} goes once the socket is writable; null if none. */
    private SocketAddress pendingTarget;

    /** Creates a server that binds where {@code options} says; nothing is opened before {@link #start()}. */
    public JdkSelectorEchoServer(EchoOptions options) {
        this.options = options;
    }

    /** Runs the server as a process; see {@link EchoMain}. */
    public static void main(String[] args) {
        EchoMain.run(args, JdkSelectorEchoServer::new);
    }

    @Override
    public InetSocketAddress start() throws IOException {
        selector = Selector.open();
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBuffer());
        channel.setOption(StandardSocketOptions.SO_SNDBUF, options.socketBuffer());
        channel.bind(options.bind());
        key = channel.register(selector, SelectionKey.OP_READ);
        running = true;
        thread = new Thread(this::loop, "jdk-selector-echo");
        thread.start();
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void loop() {
        try {
            while (running) {
                selector.select();
                selector.selectedKeys().clear();
                if (key.isValid() && key.isWritable()) {
                    flushPending();
                }
                if (key.isValid() && key.isReadable() && pendingTarget == null) {
                    readUntilWouldBlock();
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (running) {
                LOG.log(System.Logger.Level.ERROR, "jdk-selector echo server failed", e);
            }
        } finally {
            closeQuietly();
        }
    }

    private void readUntilWouldBlock() throws IOException {
        while (running) {
            buffer.clear();
            SocketAddress sender = channel.receive(buffer);
            if (sender == null) {
                return;
            }
            buffer.flip();
            if (!send(sender)) {
                pendingTarget = sender;
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
        }
    }

    private void flushPending() throws IOException {
        if (send(pendingTarget)) {
            pendingTarget = null;
            key.interestOps(SelectionKey.OP_READ);
            readUntilWouldBlock();
        }
    }

    /** True if the datagram in the buffer went out; an empty datagram sends 0 bytes and is still sent. */
    private boolean send(SocketAddress target) throws IOException {
        int length = buffer.remaining();
        return channel.send(buffer, target) == length;
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t == null) {
            closeQuietly();
            return;
        }
        selector.wakeup();
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (selector != null) {
                selector.close();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the jdk-selector echo server", e);
        }
    }

    @Override
    public String toString() {
        return "jdk-selector-echo[" + options.bind() + "]";
    }
}
