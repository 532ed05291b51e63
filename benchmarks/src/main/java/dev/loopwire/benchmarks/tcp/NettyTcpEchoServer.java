// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Netty 4.2 TCP echo server, written once for every Netty transport: one event loop thread
 * ({@link MultiThreadIoEventLoopGroup} of 1) that both accepts and serves, and a handler that
 * writes each received buffer back (no copy) and flushes once per read batch, as Netty's own
 * echo example does.
 *
 * <p>Back-pressure as Netty documents it: when a channel becomes unwritable (its outbound buffer
 * above the high water mark, Netty's default 64 KiB) the handler turns auto-read off, and on again
 * once it is writable. At the peer's FIN (half-closure allowed) it flushes what is queued and
 * then closes, as the C and loopwire servers do; Netty's default would close at once and drop the
 * queue. Options: TCP_NODELAY on (Netty's default, set anyway), SO_REUSEADDR, a backlog of
 * {@value TcpEchoOptions#BACKLOG}; everything else is Netty's default.
 *
 * <p>Subclasses choose the transport (NIO, epoll, io_uring). Lifecycle and thread-safety as in
 * {@link TcpEchoServer}.
 */
public abstract class NettyTcpEchoServer implements TcpEchoServer {

    private final TcpEchoOptions options;
    private final String name;
    private final AtomicLong errors = new AtomicLong();
    private EventLoopGroup group;
    private Channel channel;

    /** Creates a server named {@code name}; nothing starts before {@link #start()}. */
    protected NettyTcpEchoServer(TcpEchoOptions options, String name) {
        this.options = options;
        this.name = name;
    }

    /** The I/O handler of the transport, e.g. {@code NioIoHandler.newFactory()}. */
    protected abstract IoHandlerFactory ioHandlerFactory();

    /** The server socket channel class of the transport. */
    protected abstract Class<? extends ServerChannel> channelClass();

    @Override
    public InetSocketAddress start() throws IOException {
        group = new MultiThreadIoEventLoopGroup(1, ioHandlerFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelClass())
                .option(ChannelOption.SO_BACKLOG, TcpEchoOptions.BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new Echo(errors));
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
        if (errors.get() > 0) {
            System.err.println(name + ": " + errors.get() + " connections failed (see above)");
        }
    }

    @Override
    public String toString() {
        return name + "[" + options.bind() + "]";
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final AtomicLong errors;

        Echo(AtomicLong errors) {
            this.errors = errors;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // The received buffer goes back out as it is: no copy, released by the write.
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                // The peer's FIN: echo what is still queued, then close (a plain close would drop it).
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (errors.getAndIncrement() < 5) {
                System.err.println("echo channel " + ctx.channel() + ": " + cause);
            }
            ctx.close();
        }
    }
}
