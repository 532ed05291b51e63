package dev.loopwire.loop.iocp.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.nio.ByteBuffer;

/**
 * One native datagram socket of a {@link CompletionBackend}: the operating-system half of a
 * {@link dev.loopwire.loop.CompletionPort.Datagram}.
 *
 * <p>The loop has already checked the thread, the socket's state and the arguments (size,
 * family, resolved address) before calling; a backend only talks to the operating system.
 * Events go to the listener given to {@link CompletionBackend#openDatagram}.
 *
 * <p>Not thread-safe: loop thread only.
 */
public interface BackendSocket {

    void bind(InetSocketAddress local) throws IOException;

    void connect(InetSocketAddress remote) throws IOException;

    /** Sets an option the loop has checked is in the supported set. */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    /** Asks the operating system for the bound address; {@code null} if unbound. */
    InetSocketAddress localAddress() throws IOException;

    void join(InetAddress group, NetworkInterface networkInterface) throws IOException;

    void leave(InetAddress group, NetworkInterface networkInterface) throws IOException;

    /** Keeps receives submitted (batched where the backend can) until {@link #close}. */
    void startReceiving(int maxDatagramSize);

    /**
     * Copies {@code data} into a free send slot and submits the send.
     *
     * @param target where to, or {@code null} on a connected socket; already checked to be
     *     resolved and reachable from this socket's family
     * @return {@code false} when every slot is in flight; the listener's {@code writable()}
     *     follows when one comes free
     */
    boolean send(ByteBuffer data, InetSocketAddress target);

    /**
     * Cancels every operation in flight; the listener's {@code closed()} follows once all are
     * reaped and the socket and its memory are released.
     */
    void close();

    /** Operations submitted and not yet reaped. */
    int inflight();
}
