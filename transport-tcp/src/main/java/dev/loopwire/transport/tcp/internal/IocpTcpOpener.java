// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.WinsockCalls;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOpener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Opens IOCP connections and listeners on one loop: sockets are made and set up with
 * {@link WinsockCalls} on the loop thread; a connecting socket is bound first ({@code ConnectEx}
 * needs a bound socket), to the caller's local address or the wildcard of its family.
 *
 * <p>Thread-safe: sockets are opened on the loop thread; the shared state is touched there only.
 */
final class IocpTcpOpener implements TcpOpener {

    final EventLoop loop;
    final IocpPort port;
    final WinsockCalls winsock;
    final Timers timers;
    final ByteBuffer[] gather = new ByteBuffer[ReadinessTcpOpener.MAX_GATHER];

    IocpTcpOpener(EventLoop loop, IocpPort port, Timers timers) {
        this.loop = loop;
        this.port = port;
        this.winsock = port.winsock();
        this.timers = timers;
    }

    @Override
    public CompletionStage<TcpConnection> connect(InetSocketAddress local, InetSocketAddress remote,
            StreamHandler handler, TcpOptions options) {
        return SocketSetup.onLoop(loop, result -> connectOnLoop(local, remote, handler, options, result));
    }

    private void connectOnLoop(InetSocketAddress local, InetSocketAddress remote, StreamHandler handler,
            TcpOptions options, CompletableFuture<TcpConnection> result) {
        if (!options.connectTimeout().isZero() && timers == null) {
            result.completeExceptionally(new UnsupportedOperationException("Loop '" + loop.name()
                    + "' offers no Timers, so connectTimeout '" + options.connectTimeout()
                    + "' cannot be kept; set TcpOptions.connectTimeout(Duration.ZERO)"));
            return;
        }
        long socket = 0;
        try {
            boolean ipv6 = TcpChecks.family(local, remote) == StandardProtocolFamily.INET6;
            socket = socket(ipv6);
            SocketSetup.connection(options(socket), IocpSockets.SUPPORTED, options);
            if (local != null) {
                IocpSockets.set(winsock, socket, StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                winsock.bind(socket, local);
            } else {
                winsock.bind(socket, wildcard(ipv6));
            }
            IocpConnection c = new IocpConnection(this, socket, ipv6, handler, options);
            socket = 0; // the connection owns it now, and closes it on every path
            c.connect(remote, result);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket, e);
            result.completeExceptionally(e);
        }
    }

    @Override
    public CompletionStage<TcpListener> listen(InetSocketAddress local, Supplier<? extends StreamHandler> handlers,
            TcpOptions options) {
        return SocketSetup.onLoop(loop, result -> listenOnLoop(local, handlers, options, result));
    }

    private void listenOnLoop(InetSocketAddress local, Supplier<? extends StreamHandler> handlers, TcpOptions options,
            CompletableFuture<TcpListener> result) {
        long socket = 0;
        try {
            boolean ipv6 = TcpChecks.family(local, null) == StandardProtocolFamily.INET6;
            socket = socket(ipv6);
            SocketSetup.listener(options(socket), IocpSockets.SUPPORTED, options);
            winsock.bind(socket, local);
            winsock.listen(socket, options.backlog());
            IocpListener listener = new IocpListener(this, socket, ipv6, handlers, options);
            socket = 0;
            listener.start();
            result.complete(listener);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket, e);
            result.completeExceptionally(e);
        }
    }

    /** A new overlapped stream socket of the family; IPv6 ones dual-stack, as the JDK's. */
    long socket(boolean ipv6) throws IOException {
        long socket = winsock.socket(ipv6 ? WinsockCalls.AF_INET6 : WinsockCalls.AF_INET, WinsockCalls.SOCK_STREAM,
                WinsockCalls.IPPROTO_TCP);
        if (ipv6) {
            try {
                winsock.setOption(socket, WinsockCalls.IPPROTO_IPV6, WinsockCalls.IPV6_V6ONLY, 0);
            } catch (IOException | RuntimeException e) {
                closeQuietly(socket, e);
                throw e;
            }
        }
        return socket;
    }

    private static InetSocketAddress wildcard(boolean ipv6) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ipv6 ? "::" : "0.0.0.0"), 0);
    }

    /** {@link SocketSetup}'s option setter for a Winsock socket. */
    SocketSetup.Options options(long socket) {
        return new SocketSetup.Options() {
            @Override
            public <T> void set(SocketOption<T> option, T value) throws IOException {
                IocpSockets.set(winsock, socket, option, value);
            }
        };
    }

    /** Closes a socket that no registration holds, adding a failure to {@code into}. */
    void closeQuietly(long socket, Throwable into) {
        if (socket == 0) {
            return;
        }
        try {
            winsock.close(socket);
        } catch (IOException | RuntimeException e) {
            if (into != null) {
                into.addSuppressed(e);
            }
        }
    }

    @Override
    public String toString() {
        return "IocpTcpOpener[" + loop.name() + "]";
    }
}
