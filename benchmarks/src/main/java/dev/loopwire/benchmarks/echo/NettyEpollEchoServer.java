// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The Netty echo server on the native epoll transport, tuned as Netty documents for datagram
 * throughput: {@link EpollChannelOption#MAX_DATAGRAM_PAYLOAD_SIZE} plus a receive buffer big enough
 * for {@value #BATCH} such datagrams, so each read is one {@code recvmmsg} of up to {@value #BATCH}
 * datagrams; writes of several packets go out with {@code sendmmsg}.
 *
 * <p>Lifecycle and thread-safety as in {@link EchoServer}. {@link #start()} fails with the
 * reason Netty gives when epoll is not available.
 */
public final class NettyEpollEchoServer extends NettyEchoServer {

    /** The largest datagram echoed whole; larger ones are truncated by recvmmsg. 0 turns recvmmsg off. */
    static final int MAX_PAYLOAD = Integer.getInteger("loopwire.bench.epoll.maxPayload", 2048);
    /** Datagrams per recvmmsg, as in the C server. */
    static final int BATCH = Integer.getInteger("loopwire.bench.epoll.batch", 64);

    /** Creates the server; nothing starts before {@link #start()}. */
    public NettyEpollEchoServer(EchoOptions options) {
        super(options, "netty-epoll-echo");
    }

    /** Runs the server as a process; see {@link EchoMain}. */
    public static void main(String[] args) {
        EchoMain.run(args, NettyEpollEchoServer::new);
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
    protected Class<? extends Channel> channelClass() {
        return EpollDatagramChannel.class;
    }

    @Override
    protected void configure(Bootstrap bootstrap) {
        if (MAX_PAYLOAD > 0) {
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_PAYLOAD)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_PAYLOAD * BATCH));
        }
    }
}
