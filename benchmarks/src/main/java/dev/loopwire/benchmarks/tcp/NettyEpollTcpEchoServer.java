// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The Netty TCP echo server on the native epoll transport ({@link EpollIoHandler},
 * {@link EpollServerSocketChannel}, edge-triggered, Netty's default), with Netty's default options.
 *
 * <p>Lifecycle and thread-safety as in {@link TcpEchoServer}. {@link #start()} fails with the
 * reason Netty gives when epoll is not available.
 */
public final class NettyEpollTcpEchoServer extends NettyTcpEchoServer {

    /** Creates the server; nothing starts before {@link #start()}. */
    public NettyEpollTcpEchoServer(TcpEchoOptions options) {
        super(options, "netty-epoll-tcp-echo");
    }

    /** Runs the server as a process; see {@link TcpEchoMain}. */
    public static void main(String[] args) {
        TcpEchoMain.run(args, NettyEpollTcpEchoServer::new);
    }

    @Override
    public InetSocketAddress start() throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("Netty epoll is not available: " + Epoll.unavailabilityCause(),
                    Epoll.unavailabilityCause());
        }
        return super.start();
    }

    @Override
    protected IoHandlerFactory ioHandlerFactory() {
        return EpollIoHandler.newFactory();
    }

    @Override
    protected Class<? extends ServerChannel> channelClass() {
        return EpollServerSocketChannel.class;
    }
}
