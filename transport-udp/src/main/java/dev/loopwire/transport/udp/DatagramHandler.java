// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What a {@link DatagramEndpoint} reports: opening, datagrams, errors, writability and closing.
 *
 * <p><b>Lifecycle.</b> {@link #onOpen} comes first, before the stage returned by
 * {@link Udp#bind} completes; then any number of {@link #onDatagram}, {@link #onError} and
 * {@link #onWritabilityChanged}; {@link #onClose} comes last, once.
 *
 * <p>Every callback receives the endpoint it reports on as its first argument, so a handler can
 * answer ({@link DatagramEndpoint#send}) or close from any callback without capturing the
 * endpoint in {@code onOpen}; one handler may serve several endpoints.
 *
 * <p><b>Concurrency.</b> Every method runs on the endpoint's loop thread, never concurrently;
 * {@code onClose} too, also when the endpoint is closed while (or after) its loop closes: the
 * loop's close hook closes it on the loop thread.
 *
 * <p><b>What a callback throws</b>, {@code Error}s such as {@code StackOverflowError} included:
 * from {@link #onOpen}, it fails the stage returned by {@link Udp#bind}/{@link Udp#connect} with
 * that throwable, and the endpoint is closed and its socket released before the stage
 * completes ({@code onClose} is not called: the endpoint was never handed out). From
 * {@link #onDatagram} or {@link #onWritabilityChanged}, it is passed to {@link #onError}; the
 * endpoint keeps receiving and sending. From {@code onError} or {@code onClose}, it goes to the
 * loop's exception handler (an {@code Error} wrapped in an unchecked exception naming the
 * callback and the endpoint), and the loop goes on.
 */
public interface DatagramHandler {

    /**
     * The endpoint is bound (and connected, for {@link Udp#connect}) and receiving.
     *
     * @param endpoint the endpoint that opened
     * @implSpec The default does nothing.
     */
    default void onOpen(DatagramEndpoint endpoint) {
    }

    /**
     * A datagram arrived.
     *
     * @param endpoint the endpoint the datagram arrived on
     * @param data the payload from its position to its limit; the buffer belongs to the endpoint
     *     and is reused for the next datagram, so it is valid during this call only: copy what
     *     you keep
     * @param sender the source address; never {@code null}
     */
    void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender);

    /**
     * Something went wrong that does not end the endpoint: a failed send (the datagram is
     * dropped and named here), an ICMP error such as {@link java.net.PortUnreachableException}
     * on a connected endpoint, an oversized incoming datagram, or an exception thrown by this
     * handler.
     *
     * @param endpoint the endpoint the error belongs to; it stays open
     * @param error what went wrong
     * @implSpec The default rethrows {@code error} when it is unchecked (so the loop's exception
     *     handler logs it) and wraps it in an {@link java.io.UncheckedIOException} or a
     *     {@link RuntimeException} otherwise.
     */
    default void onError(DatagramEndpoint endpoint, Throwable error) {
        if (error instanceof RuntimeException e) {
            throw e;
        }
        if (error instanceof Error e) {
            throw e;
        }
        if (error instanceof java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new RuntimeException(error);
    }

    /**
     * The send queue filled up ({@code writable} is {@code false}: {@link DatagramEndpoint#send}
     * may now return {@code false}) or drained to half its bounds again ({@code true}).
     * Transitions are coalesced: consecutive calls always alternate.
     *
     * @param endpoint the endpoint whose send queue changed
     * @param writable whether {@code send} accepts datagrams again
     * @implSpec The default does nothing.
     */
    default void onWritabilityChanged(DatagramEndpoint endpoint, boolean writable) {
    }

    /**
     * The endpoint is closed: its socket is released and nothing else will be reported.
     *
     * @param endpoint the endpoint that closed
     * @implSpec The default does nothing.
     */
    default void onClose(DatagramEndpoint endpoint) {
    }
}
