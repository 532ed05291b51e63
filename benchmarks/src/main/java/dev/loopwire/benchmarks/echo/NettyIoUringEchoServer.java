// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The Netty echo server on Netty 4.2's io_uring transport ({@link IoUringIoHandler},
 * {@link IoUringDatagramChannel}) with Netty's default options.
 *
 * <p>Lifecycle and thread-safety as in {@link EchoServer}. {@link #start()} fails with the
 * reason Netty gives when io_uring is not available.
 */
public final class NettyIoUringEchoServer extends NettyEchoServer {

    /** Creates the server; nothing starts before {@link #start()}. */
    public NettyIoUringEchoServer(EchoOptions options) {
        super(options, "netty-io_uring-echo");
    }

    /** Runs the server as a process; see {@link EchoMain}. */
    public static void main(String[] args) {
        EchoMain.run(args, NettyIoUringEchoServer::new);
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
    protected Class<? extends Channel> channelClass() {
        return IoUringDatagramChannel.class;
    }
}
