// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The Netty TCP echo server on Netty 4.2's io_uring transport ({@link IoUringIoHandler},
 * {@link IoUringServerSocketChannel}) with Netty's default options.
 *
 * <p>Lifecycle and thread-safety as in {@link TcpEchoServer}. {@link #start()} fails with the
 * reason Netty gives when io_uring is not available.
 */
public final class NettyIoUringTcpEchoServer extends NettyTcpEchoServer {

    /** Creates the server; nothing starts before {@link #start()}. */
    public NettyIoUringTcpEchoServer(TcpEchoOptions options) {
        super(options, "netty-io_uring-tcp-echo");
    }

    /** Runs the server as a process; see {@link TcpEchoMain}. */
    public static void main(String[] args) {
        TcpEchoMain.run(args, NettyIoUringTcpEchoServer::new);
    }

    @Override
    public InetSocketAddress start() throws IOException {
        if (!IoUring.isAvailable()) {
            throw new IOException("Netty io_uring is not available: " + IoUring.unavailabilityCause(),
                    IoUring.unavailabilityCause());
        }
        return super.start();
    }

    @Override
    protected IoHandlerFactory ioHandlerFactory() {
        return IoUringIoHandler.newFactory();
    }

    @Override
    protected Class<? extends ServerChannel> channelClass() {
        return IoUringServerSocketChannel.class;
    }
}
