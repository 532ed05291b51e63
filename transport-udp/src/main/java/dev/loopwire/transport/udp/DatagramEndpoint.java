// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import dev.loopwire.loop.EventLoop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * A bound UDP socket driven by an event loop: it sends datagrams and hands the ones it receives
 * to its {@link DatagramHandler}.
 *
 * <p><b>Sending.</b> {@link #send(ByteBuffer, SocketAddress)} copies the remaining bytes of the
 * buffer before it returns (a send on the loop thread while nothing is queued goes straight to
 * the socket instead), so the caller may reuse its buffer at once. On success the buffer's
 * position advances to its limit. Datagrams that the socket cannot take at once wait in a
 * bounded send queue ({@link UdpOptions#sendQueueBytes()}, {@link
 * UdpOptions#sendQueueDatagrams()}); when the queue has no room, {@code send} returns
 * {@code false} and leaves the buffer untouched: nothing is dropped silently and the heap does
 * not grow without bound. {@link #isWritable()} and
 * {@link DatagramHandler#onWritabilityChanged} tell when to stop and resume. A datagram the
 * operating system refuses later is reported to {@link DatagramHandler#onError}.
 *
 * <p><b>Lifecycle.</b> An endpoint is open when {@link Udp#bind} completes. {@link #close()}
 * stops accepting sends at once ({@link EndpointClosedException}), then, on the loop thread,
 * writes every datagram still queued (failures go to {@code onError}), closes the socket, calls
 * {@link DatagramHandler#onClose(DatagramEndpoint)}, and completes the returned stage. Closing the
 * loop closes the endpoint the same way, through a loop close hook: from {@code loop.close()} on,
 * the endpoint is closed ({@link #isClosed()}, every {@code send} refused with
 * {@link EndpointClosedException}, from any thread); on the loop thread it then sends what it had
 * accepted (bounded by the loop's close timeout; what cannot be sent is reported to
 * {@code onError}), closes its socket and calls {@code onClose} once. A later {@code close()}
 * returns the same, completed stage.
 *
 * <p><b>Concurrency.</b> Every method may be called from any thread. Handler callbacks run on
 * {@link #loop()}'s thread.
 */
public interface DatagramEndpoint {

    /**
     * Sends a datagram to {@code target}.
     *
     * @param data the payload, from position to limit; any kind of buffer
     * @param target the destination, a resolved {@link InetSocketAddress} with a port from 1 to
     *     65535 in an address family this socket can reach
     * @return {@code true} if the datagram was sent or queued (position advanced to limit);
     *     {@code false} if the send queue is full (buffer untouched; retry after
     *     {@link DatagramHandler#onWritabilityChanged} reports {@code true})
     * @throws NullPointerException if an argument is {@code null}
     * @throws DatagramTooLargeException if the payload exceeds the limit for the target
     * @throws InvalidAddressException if the target is unresolved, of another kind, port 0, in a
     *     family this socket cannot reach, or not the connected peer
     * @throws EndpointClosedException if the endpoint is closed or closing
     * @throws IllegalArgumentException if the payload is empty and this endpoint cannot send an
     *     empty datagram (a connected endpoint on a readiness loop: the JDK's connected
     *     {@code DatagramChannel} sends nothing for an empty buffer)
     */
    boolean send(ByteBuffer data, SocketAddress target);

    /**
     * Sends a datagram to the connected peer; see {@link #send(ByteBuffer, SocketAddress)}.
     *
     * @param data the payload, from position to limit; any kind of buffer
     * @return {@code true} if the datagram was sent or queued (position advanced to limit);
     *     {@code false} if the send queue is full (buffer untouched; retry after
     *     {@link DatagramHandler#onWritabilityChanged} reports {@code true})
     * @throws IllegalStateException if the endpoint is not connected
     */
    boolean send(ByteBuffer data);

    /**
     * Whether the send queue has room for a datagram of the maximum size. It turns
     * {@code false} when that room runs out and {@code true} again once the queue has drained
     * to half of both bounds.
     *
     * @return {@code true} if a send of the maximum size would be accepted now; a hint only, as
     *     other threads may fill the queue before the next send
     */
    boolean isWritable();

    /**
     * The address the socket is bound to, with the port the system chose if port 0 was asked.
     *
     * @return the bound address; never {@code null}, also after close
     */
    InetSocketAddress localAddress();

    /**
     * The peer given to {@link Udp#connect}.
     *
     * @return the connected peer, or {@code null} if the endpoint was opened with
     *     {@link Udp#bind}
     */
    InetSocketAddress remoteAddress();

    /**
     * Joins a multicast group on an interface; joining a group already joined there is a
     * no-op.
     *
     * @param group the multicast group address, of the socket's family
     * @param networkInterface the interface to receive the group's datagrams on
     * @throws NullPointerException if an argument is {@code null}
     * @throws EndpointClosedException if {@link #close()} has been called
     * @throws InvalidAddressException if {@code group} is not a multicast address or is of
     *     another family than the socket
     * @throws IOException if the operating system refuses
     */
    void join(InetAddress group, NetworkInterface networkInterface) throws IOException;

    /**
     * Leaves a group joined with {@link #join}; leaving a group not joined is a no-op.
     *
     * @param group the multicast group address given to {@code join}
     * @param networkInterface the interface given to {@code join}
     * @throws NullPointerException if an argument is {@code null}
     * @throws InvalidAddressException if {@code group} is not a multicast address or is of
     *     another family than the socket
     */
    void leave(InetAddress group, NetworkInterface networkInterface);

    /**
     * The loop that drives this endpoint and runs its handler's callbacks.
     *
     * @return the loop, fixed for the endpoint's life; never {@code null}
     */
    EventLoop loop();

    /**
     * Whether {@link #close()} has been called, or the socket or the loop has closed.
     *
     * @return {@code true} once the endpoint refuses sends; it never becomes {@code false} again
     */
    boolean isClosed();

    /**
     * Closes the endpoint gracefully (see the class description); a second call returns the same
     * stage.
     *
     * @return completes once the socket is closed and
     *     {@link DatagramHandler#onClose(DatagramEndpoint)} has run; never {@code null}
     */
    CompletionStage<Void> close();
}
