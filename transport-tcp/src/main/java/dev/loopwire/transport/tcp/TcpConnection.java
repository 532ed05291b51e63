// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import dev.loopwire.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * An established TCP connection driven by an event loop: it writes bytes in order and hands the
 * bytes it reads to its {@link StreamHandler}.
 *
 * <p><b>Writing.</b> {@link #write} takes the remaining bytes of any buffer: on the loop thread
 * with nothing queued they go straight to the socket, and whatever the socket does not take at
 * once is copied into the connection's write queue; from other threads they are copied. Either
 * way the caller may reuse its buffer as soon as {@code write} returns. {@link #writeNoCopy}
 * instead takes ownership of a direct buffer and gives it back through a callback once the
 * socket no longer needs it. The queue has two water marks ({@link TcpOptions#writeBufferHighWaterMark()},
 * {@link TcpOptions#writeBufferLowWaterMark()}): above the high one {@link #isWritable()} turns
 * {@code false} and {@link StreamHandler#onWritabilityChanged} tells the handler to stop; at the
 * low one it turns {@code true} again. Writes are still accepted above the high mark, up to the
 * hard bound {@link TcpOptions#writeQueueLimit()}, past which they return {@code false}: the heap
 * never grows without bound, and nothing is dropped silently.
 *
 * <p><b>Lifecycle.</b> A connection is open when {@link Tcp#connect} completes or when
 * {@link StreamHandler#onOpen} runs on an accepted one. {@link #shutdownOutput()} sends a FIN
 * after everything queued (the connection keeps reading). {@link #close()} refuses writes at once,
 * stops delivering data, flushes the queue, then closes the socket; {@link #abort()} drops the
 * queue and resets the connection ({@code SO_LINGER} 0: the peer sees a reset). Both return the
 * same stage, which completes after {@link StreamHandler#onClose}. A peer's reset or another
 * I/O failure is reported to {@link StreamHandler#onError} and closes the connection.
 *
 * <p><b>Concurrency.</b> Every method may be called from any thread. Handler callbacks and
 * release callbacks run on {@link #loop()}'s thread.
 */
public interface TcpConnection {

    /**
     * Writes the buffer's remaining bytes, after everything written before.
     *
     * @param data any buffer; its bytes from position to limit
     * @return {@code true} if the bytes were written or queued (the position has advanced to the
     *     limit); {@code false} if the queue would pass {@link TcpOptions#writeQueueLimit()}
     *     (the buffer is untouched; retry after {@link StreamHandler#onWritabilityChanged}
     *     reports {@code true})
     * @throws NullPointerException if {@code data} is {@code null}
     * @throws IllegalArgumentException if the buffer holds more than the limit itself: it could
     *     never fit
     * @throws OutputClosedException after {@link #shutdownOutput()}, {@link #close()},
     *     {@link #abort()} or the end of the connection
     */
    boolean write(ByteBuffer data);

    /**
     * Writes a direct buffer without copying it: the connection owns the buffer from this call
     * until it calls {@code onRelease} with it, on the loop thread, once every byte was handed to
     * the socket or the connection ended with the buffer still queued. Until then the caller must
     * not touch the buffer, its position or limit. Order with {@link #write} is kept.
     *
     * @param buffer a direct, writable buffer; its bytes from position to limit
     * @param onRelease called once with {@code buffer}; what it throws goes to
     *     {@link StreamHandler#onError}
     * @return {@code true} if the buffer was taken; {@code false} if the queue would pass
     *     {@link TcpOptions#writeQueueLimit()} (ownership stays with the caller, {@code onRelease}
     *     is not called)
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the buffer is a heap or read-only buffer, or holds more
     *     than the limit
     * @throws OutputClosedException as {@link #write}
     */
    boolean writeNoCopy(ByteBuffer buffer, Consumer<? super ByteBuffer> onRelease);

    /**
     * Whether the connection asks for more: {@code false} once the write queue rose above the
     * high water mark or refused a write, {@code true} again once it drained to the low water
     * mark (see the class description).
     *
     * @return whether writes are welcome
     */
    boolean isWritable();

    /**
     * The bytes accepted by {@code write} and not yet handed to the socket.
     *
     * @return the bytes queued
     */
    long queuedBytes();

    /** Stops reading: no {@code onData} until {@link #resumeReading()}; the peer is slowed by TCP. */
    void pauseReading();

    /** Reads again after {@link #pauseReading()}; a no-op when reading. */
    void resumeReading();

    /**
     * Sends a FIN once everything queued is written: the peer sees the end of input, this side
     * still reads. Later writes throw {@link OutputClosedException}. If the peer's FIN has
     * already arrived (or arrives later), the connection then closes. A second call returns the
     * same stage.
     *
     * @return completes once the FIN is sent; fails if the connection ends first
     */
    CompletionStage<Void> shutdownOutput();

    /**
     * Whether {@link #shutdownOutput()}, {@link #close()} or {@link #abort()} was called, or the connection ended.
     *
     * @return whether writing has ended or is ending
     */
    boolean isOutputShutdown();

    /**
     * Whether the peer's FIN has arrived.
     *
     * @return whether the input has ended
     */
    boolean isInputShutdown();

    /**
     * Closes gracefully: refuses writes at once, delivers no more data, writes everything queued,
     * then closes the socket and calls {@link StreamHandler#onClose}. If the peer never reads,
     * the flush never ends: call {@link #abort()} after a deadline of your choice.
     *
     * @return the close stage, the same on every call and for {@link #abort()}: completes after
     *     {@code onClose}, once the socket is released
     */
    CompletionStage<Void> close();

    /**
     * Closes at once: drops the queue (releasing {@link #writeNoCopy} buffers) and resets the
     * connection, so the peer sees a reset, not an end of input. Also ends a graceful close
     * still flushing.
     *
     * @return the close stage, as {@link #close()}
     */
    CompletionStage<Void> abort();

    /**
     * Whether {@link #close()} or {@link #abort()} was called, or the connection ended.
     *
     * @return whether the connection is closed or closing
     */
    boolean isClosed();

    /**
     * The local address; never {@code null}.
     *
     * @return the local address
     */
    InetSocketAddress localAddress();

    /**
     * The peer's address; never {@code null}.
     *
     * @return the peer's address
     */
    InetSocketAddress remoteAddress();

    /**
     * Reads a socket option, such as {@link java.net.StandardSocketOptions#TCP_NODELAY}.
     *
     * @param <T> the option's value type
     * @param option the option
     * @return the option's value now
     * @throws UnsupportedOperationException if the socket does not support {@code option}
     * @throws IOException if the socket is closed or the system refuses
     */
    <T> T getOption(SocketOption<T> option) throws IOException;

    /**
     * Sets a socket option.
     *
     * @param <T> the option's value type
     * @param option the option
     * @param value the value to set
     * @throws UnsupportedOperationException if the socket does not support {@code option}
     * @throws IllegalArgumentException if the value is not valid for {@code option}
     * @throws IOException if the socket is closed or the system refuses
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    /**
     * The loop that drives this connection; never {@code null}.
     *
     * @return the loop
     */
    EventLoop loop();
}
