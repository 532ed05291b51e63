// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * How every provider opens a socket: on the loop thread, with the {@link UdpOptions} applied
 * the same way whatever the socket is.
 *
 * <p>Stateless and thread-safe.
 */
final class SocketSetup {

    /** Sets one option on a socket ({@code channel::setOption}, {@code datagram::setOption}). */
    interface Options {
        <T> void set(SocketOption<T> option, T value) throws IOException;
    }

    private SocketSetup() {
    }

    /** The capability a provider needs from {@code loop}, or a refusal naming both. */
    static <C extends Capability> C capability(EventLoop loop, Class<C> type, Object provider) {
        return loop.capability(type).orElseThrow(() -> new IllegalArgumentException(
                "Loop '" + loop.name() + "' does not offer " + type.getSimpleName() + "; " + provider.getClass().getName()
                        + " needs it. Resolve UDP with Transports.resolve(loop, Udp.BIND) instead"));
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

    /** Applies the socket options of {@code options}. */
    static void configure(Options socket, Set<SocketOption<?>> supported, UdpOptions options) throws IOException {
        if (options.reuseAddress()) {
            socket.set(StandardSocketOptions.SO_REUSEADDR, true);
        }
        if (options.reusePort()) {
            if (!supported.contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this system;"
                        + " set UdpOptions.reusePort(false)");
            }
            socket.set(StandardSocketOptions.SO_REUSEPORT, true);
        }
        if (options.receiveBufferSize() > 0) {
            socket.set(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
        }
        if (options.sendBufferSize() > 0) {
            socket.set(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
        }
        if (options.broadcast()) {
            socket.set(StandardSocketOptions.SO_BROADCAST, true);
        }
        if (options.multicastInterface() != null) {
            socket.set(StandardSocketOptions.IP_MULTICAST_IF, options.multicastInterface());
        }
        socket.set(StandardSocketOptions.IP_MULTICAST_TTL, options.multicastTtl());
        socket.set(StandardSocketOptions.IP_MULTICAST_LOOP, options.multicastLoopback());
    }
}
