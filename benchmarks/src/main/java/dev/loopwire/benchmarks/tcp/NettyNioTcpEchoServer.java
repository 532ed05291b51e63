// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Netty TCP echo server on Netty's NIO transport ({@link NioIoHandler},
 * {@link NioServerSocketChannel}): the portable Netty a user gets without native jars.
 *
 * <p>Lifecycle and thread-safety as in {@link TcpEchoServer}.
 */
public final class NettyNioTcpEchoServer extends NettyTcpEchoServer {

    /** Creates the server; nothing starts before {@link #start()}. */
    public NettyNioTcpEchoServer(TcpEchoOptions options) {
        super(options, "netty-nio-tcp-echo");
    }

    /** Runs the server as a process; see {@link TcpEchoMain}. */
    public static void main(String[] args) {
        TcpEchoMain.run(args, NettyNioTcpEchoServer::new);
    }

    @Override
    protected IoHandlerFactory ioHandlerFactory() {
        return NioIoHandler.newFactory();
    }

    @Override
    protected Class<? extends ServerChannel> channelClass() {
        return NioServerSocketChannel.class;
    }
}
