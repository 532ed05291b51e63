// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;

/**
 * The Netty echo server on Netty's NIO transport ({@link NioIoHandler}, {@link NioDatagramChannel}),
 * with Netty's default options: the portable Netty a user gets without native jars.
 *
 * <p>Lifecycle and thread-safety as in {@link EchoServer}.
 */
public final class NettyNioEchoServer extends NettyEchoServer {

    /** Creates the server; nothing starts before {@link #start()}. */
    public NettyNioEchoServer(EchoOptions options) {
        super(options, "netty-nio-echo");
    }

    /** Runs the server as a process; see {@link EchoMain}. */
    public static void main(String[] args) {
        EchoMain.run(args, NettyNioEchoServer::new);
    }

    @Override
    protected IoHandlerFactory ioHandlerFactory() {
        return NioIoHandler.newFactory();
    }

    @Override
    protected Class<? extends Channel> channelClass() {
        return NioDatagramChannel.class;
    }
}
