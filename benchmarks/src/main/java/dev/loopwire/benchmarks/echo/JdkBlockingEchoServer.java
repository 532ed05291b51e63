// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * The simplest JDK echo server: a blocking {@link DatagramChannel} and one thread that receives
 * into a reused direct buffer and sends the datagram back.
 *
 * <p>It has no selector, so one receive and one send system call per datagram, and a blocked
 * send simply waits: the baseline every event loop has to beat at window 1.
 *
 * <p>Lifecycle and thread-safety as in {@link EchoServer}; {@link #close()} closes the channel,
 * which wakes the blocked receive.
 */
public final class JdkBlockingEchoServer implements EchoServer {

    private static final System.Logger LOG = System.getLogger(JdkBlockingEchoServer.class.getName());

    private final EchoOptions options;
    private DatagramChannel channel;
    private Thread thread;

    /** Creates a server that binds where {@code options} says; nothing is opened before {@link #start()}. */
    public JdkBlockingEchoServer(EchoOptions options) {
        this.options = options;
    }

    /** Runs the server as a process; see {@link EchoMain}. */
    public static void main(String[] args) {
        EchoMain.run(args, JdkBlockingEchoServer::new);
    }

    @Override
    public InetSocketAddress start() throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBuffer());
        channel.setOption(StandardSocketOptions.SO_SNDBUF, options.socketBuffer());
        channel.bind(options.bind());
        thread = new Thread(this::loop, "jdk-blocking-echo");
        thread.start();
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void loop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
        try {
            while (true) {
                buffer.clear();
                SocketAddress sender = channel.receive(buffer);
                buffer.flip();
                channel.send(buffer, sender);
            }
        } catch (ClosedChannelException e) {
            // close() was called: the normal way out
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "jdk-blocking echo server failed", e);
        }
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (thread != null) {
                thread.join(5_000);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the jdk-blocking echo server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "jdk-blocking-echo[" + options.bind() + "]";
    }
}
