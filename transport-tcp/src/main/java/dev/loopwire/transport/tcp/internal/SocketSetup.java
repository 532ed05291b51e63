// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;

/**
 * How every provider applies {@link TcpOptions} and opens sockets on the loop thread, so that
 * each backend does it the same way and refuses the same things with the same words.
 *
 * <p>Stateless and thread-safe.
 */
final class SocketSetup {

    /** Sets one option on a socket ({@code channel::setOption}, or a native socket's setter). */
    interface Options {
        <T> void set(SocketOption<T> option, T value) throws IOException;
    }

    private SocketSetup() {
    }

    /** The capability a provider needs from {@code loop}, or a refusal naming both. */
    static <C extends Capability> C capability(EventLoop loop, Class<C> type, Object provider) {
        return loop.capability(type).orElseThrow(() -> new IllegalArgumentException(
                "Loop '" + loop.name() + "' does not offer " + type.getSimpleName() + "; " + provider.getClass().getName()
                        + " needs it. Resolve TCP with Transports.resolve(loop, Tcp.OPEN) instead"));
    }

    /** Runs {@code open} on the loop thread (now, if called there) and returns its result. */
    static <T> CompletionStage<T> onLoop(EventLoop loop, Consumer<CompletableFuture<T>> open) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (loop.inLoop()) {
            open.accept(result);
        } else {
            try {
                loop.execute(() -> open.accept(result));
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(e);
            }
        }
        return result;
    }

    /** Applies the options of a connection (connecting or accepted). */
    static void connection(NetworkChannel socket, TcpOptions options) throws IOException {
        connection(socket::setOption, socket.supportedOptions(), options);
    }

    /** Applies the options of a connection through {@code socket}. */
    static void connection(Options socket, Set<SocketOption<?>> supported, TcpOptions options) throws IOException {
        socket.set(StandardSocketOptions.TCP_NODELAY, options.noDelay());
        if (options.keepAlive()) {
            socket.set(StandardSocketOptions.SO_KEEPALIVE, true);
            keepAlive(socket, supported, ExtendedSocketOptions.TCP_KEEPIDLE, options.keepAliveIdleSeconds(), "keepAliveIdle",
                    "Duration.ZERO");
            keepAlive(socket, supported, ExtendedSocketOptions.TCP_KEEPINTERVAL, options.keepAliveIntervalSeconds(),
                    "keepAliveInterval", "Duration.ZERO");
            keepAlive(socket, supported, ExtendedSocketOptions.TCP_KEEPCOUNT, options.keepAliveCount(), "keepAliveCount", "0");
        }
        if (options.sendBufferSize() > 0) {
            socket.set(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
        }
        if (options.receiveBufferSize() > 0) {
            socket.set(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
        }
    }

    /** Applies the options of a listening socket, before it binds. */
    static void listener(Options socket, Set<SocketOption<?>> supported, TcpOptions options) throws IOException {
        socket.set(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
        if (options.reusePort()) {
            if (!supported.contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this system;"
                        + " set TcpOptions.reusePort(false)");
            }
            socket.set(StandardSocketOptions.SO_REUSEPORT, true);
        }
        if (options.receiveBufferSize() > 0) {
            // Before listen(), so that the window scale offered to clients fits the buffer.
            socket.set(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
        }
    }

    private static void keepAlive(Options socket, Set<SocketOption<?>> supported, SocketOption<Integer> option, int value,
            String setter, String unset) throws IOException {
        if (value == 0) {
            return;
        }
        if (!supported.contains(option)) {
            throw new UnsupportedOperationException(option.name() + " is not supported on this system; set TcpOptions."
                    + setter + "(" + unset + ") to use the system's value");
        }
        socket.set(option, value);
    }
}
