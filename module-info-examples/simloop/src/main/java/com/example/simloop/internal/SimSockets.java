// SPDX-License-Identifier: Apache-2.0
package com.example.simloop.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The simulated loop's own datagram sockets on its in-memory network: what loopwire's
 * {@code SimSockets} capability was before transports moved onto raw completion capabilities.
 * It is internal to this example: only the loop-native UDP ({@link SimUdpBinder}) uses it.
 *
 * <p><b>Buffers.</b> Received data is valid only for the duration of the
 * {@link DatagramListener#received} call. {@link Datagram#send} copies the bytes before it
 * returns.
 *
 * <p><b>Concurrency.</b> Loop thread only; listeners run on the loop thread.
 */
public interface SimSockets {

    /**
     * Opens a native, unbound datagram socket.
     *
     * @param family {@link java.net.StandardProtocolFamily#INET} or
     *     {@link java.net.StandardProtocolFamily#INET6}
     * @param listener receives the socket's events on the loop thread; never {@code null}
     * @return the socket; never {@code null}
     * @throws IOException if the operating system refuses the socket
     * @throws UnsupportedOperationException if the family is not one of the two above
     */
    Datagram openDatagram(ProtocolFamily family, DatagramListener listener) throws IOException;

    /** What a completion-port datagram socket reports, always on the loop thread. */
    interface DatagramListener {

        /**
         * A datagram arrived.
         *
         * @param data the payload from position 0 to the limit; valid during this call only
         * @param sender who sent it (the same instance is reused while the sender stays the same)
         */
        void received(ByteBuffer data, InetSocketAddress sender);

        /**
         * A datagram larger than the {@code maxDatagramSize} given to
         * {@link Datagram#startReceiving} arrived and was dropped. The socket goes on receiving.
         *
         * @implSpec The default reports {@link #failed} with an {@link IOException} naming the
         *     length, the sender and the limit. Transports that report oversized datagrams in a
         *     type of their own override it instead of parsing that message.
         * @param length the datagram's length as the operating system reported it (at least
         *     {@code maxDatagramSize + 1}; the full length where the system tells it)
         * @param maxDatagramSize the limit given to {@link Datagram#startReceiving}
         * @param sender who sent it
         */
        default void oversized(int length, int maxDatagramSize, InetSocketAddress sender) {
            failed(new IOException("Dropped a datagram of " + length + " bytes from '" + sender
                    + "': larger than the maxDatagramSize " + maxDatagramSize
                    + " given to startReceiving; receive with a larger size"));
        }

        /** Send slots came free after {@link Datagram#send} returned {@code false}. */
        void writable();

        /**
         * An operation failed. The socket stays open: a refused send or an ICMP error does not
         * end a datagram socket.
         *
         * @param error the failure, typed where the JDK has a type for it
         *     ({@link java.net.PortUnreachableException}, {@link java.net.BindException}, ...)
         */
        void failed(IOException error);

        /** The socket closed and every operation it had submitted has been reaped. */
        void closed();
    }

    /**
     * A native datagram socket driven by completions.
     *
     * <p><b>Lifecycle.</b> Open, then optionally set options and {@link #bind}/{@link #connect},
     * then {@link #startReceiving}; {@link #close} cancels what is in flight, and
     * {@link DatagramListener#closed()} follows once the operating system has let go of every
     * buffer.
     */
    interface Datagram {

        /** The protocol family the socket was opened with. */
        ProtocolFamily family();

        /** Binds the socket; port 0 picks an ephemeral port. */
        void bind(InetSocketAddress local) throws IOException;

        /** Connects the socket: sends go to {@code remote} and only its datagrams are received. */
        void connect(InetSocketAddress remote) throws IOException;

        /** Sets a socket option; see {@link #supportedOptions()}. */
        <T> void setOption(SocketOption<T> option, T value) throws IOException;

        /** Reads a socket option; see {@link #supportedOptions()}. */
        <T> T getOption(SocketOption<T> option) throws IOException;

        /** The options this socket accepts, drawn from {@link java.net.StandardSocketOptions}. */
        Set<SocketOption<?>> supportedOptions();

        /** The bound address, or {@code null} if not bound. */
        InetSocketAddress localAddress();

        /** The connected address, or {@code null} if not connected. */
        InetSocketAddress remoteAddress();

        /** Joins a multicast group on an interface. */
        void join(InetAddress group, NetworkInterface networkInterface) throws IOException;

        /** Leaves a multicast group on an interface. */
        void leave(InetAddress group, NetworkInterface networkInterface) throws IOException;

        /**
         * Keeps receive operations submitted until the socket closes. Each datagram is
         * reported through {@link DatagramListener#received}; a datagram larger than
         * {@code maxDatagramSize} is truncated by the operating system, dropped, and reported
         * through {@link DatagramListener#oversized}.
         * Calling it twice is a no-op.
         *
         * @param maxDatagramSize the largest payload to receive, 1 to 65,535
         */
        void startReceiving(int maxDatagramSize);

        /**
         * Copies the remaining bytes of {@code data} into a native send slot and submits the
         * send. The buffer's position advances to its limit on success. The send is submitted
         * to the operating system before the loop next waits; sends from one loop turn are
         * batched.
         *
         * @param data the payload; any kind of buffer
         * @param target where to send it, or {@code null} on a connected socket
         * @return {@code true} if the send was queued; {@code false} if every send slot is in
         *     flight (nothing was copied; {@link DatagramListener#writable()} follows)
         * @throws IllegalStateException if the socket is closed
         */
        boolean send(ByteBuffer data, InetSocketAddress target);

        /** Whether {@link #close} has not been called. */
        boolean isOpen();

        /** Cancels every operation in flight and closes the socket; a second call is a no-op. */
        void close();
    }
}
