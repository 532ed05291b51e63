// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Netty 4.2 echo server, written once for every Netty transport: one event loop thread
 * ({@link MultiThreadIoEventLoopGroup} of 1), a datagram channel, and a handler that writes each
 * received packet's buffer back to its sender and flushes once per read batch.
 *
 * <p>Subclasses choose the transport (NIO, epoll, io_uring) and its options. The handler hands
 * the received buffer to the outbound packet, so nothing is copied and nothing leaks.
 *
 * <p>Lifecycle and thread-safety as in {@link EchoServer}.
 */
public abstract class NettyEchoServer implements EchoServer {

    private final EchoOptions options;
    private final String name;
    private EventLoopGroup group;
    private Channel channel;

    /** Creates a server named {@code name} (also its thread name); nothing starts before {@link #start()}. */
    protected NettyEchoServer(EchoOptions options, String name) {
        this.options = options;
        this.name = name;
    }

    /** The I/O handler of the transport, e.g. {@code NioIoHandler.newFactory()}. */
    protected abstract IoHandlerFactory ioHandlerFactory();

    /** The datagram channel class of the transport. */
    protected abstract Class<? extends Channel> channelClass();

    /** Adds transport-specific options; the default adds none. */
    protected void configure(Bootstrap bootstrap) {
    }

    @Override
    public InetSocketAddress start() throws IOException {
        group = new MultiThreadIoEventLoopGroup(1, ioHandlerFactory());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass())
                .option(ChannelOption.SO_RCVBUF, options.socketBuffer())
                .option(ChannelOption.SO_SNDBUF, options.socketBuffer())
                .handler(new Echo());
        configure(bootstrap);
        try {
            channel = bootstrap.bind(options.bind()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            throw new IOException("Cannot bind " + name + " to " + options.bind() + ": " + e.getMessage(), e);
        }
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return name + "[" + options.bind() + "]";
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private static final System.Logger LOG = System.getLogger(Echo.class.getName());

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            // The received buffer's reference moves to the outbound packet: no copy, no release here.
            ctx.write(new DatagramPacket(packet.content(), packet.sender()), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.WARNING, "echo channel " + ctx.channel(), cause);
        }
    }
}
