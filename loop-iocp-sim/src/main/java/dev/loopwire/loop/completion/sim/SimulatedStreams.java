// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.sim;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The loopback stream (TCP) stack of {@link SimulatedWinApi}: {@code ConnectEx} to a listening
 * port makes a connection that the listener's next {@code AcceptEx} takes (at once if one is
 * pending, else from the backlog), bytes a {@code WSASend} gives go to the peer's receive
 * window ({@value #WINDOW} bytes) and a {@code WSASend} that does not fit waits until the peer
 * reads, {@code shutdown(SD_SEND)} and {@code closesocket} send a FIN, and {@code closesocket}
 * after {@code SO_LINGER} {on, 0} sends a reset (the peer's receive and later sends fail with
 * {@code WSAECONNRESET}, unread bytes are dropped).
 *
 * <p>As the rest of the simulator, a model written from Microsoft's documentation (an
 * overlapped {@code WSASend} completes once its bytes are buffered; {@code WSARecv} completes
 * with 0 bytes at the peer's FIN; {@code AcceptEx} completes with the accept socket connected),
 * not Windows' behaviour. Loop thread only.
 */
final class SimulatedStreams {

    /** The receive window of each connected socket. */
    static final int WINDOW = 256 << 10;
    private static final int SO_LINGER = (0xffff << 16) | 0x0080;

    private final SimulatedWinApi api;

    SimulatedStreams(SimulatedWinApi api) {
        this.api = api;
    }

    /** A ConnectEx that found a listener: connects {@code c}, and the listener accepts it now or later. */
    void connect(SimulatedWinApi.Sock c, SimulatedWinApi.Sock listener) {
        c.stream = true;
        c.remotePort = listener.localPort;
        if (c.localAddress != null && c.localAddress.isAnyLocalAddress()) {
            c.localAddress = null; // connected over loopback: its address is the loopback one now
        }
        SimulatedWinApi.Sock server = new SimulatedWinApi.Sock(0, listener.af); // adopted by an AcceptEx
        server.stream = true;
        server.localPort = listener.localPort;
        // Accepted on a wildcard listener, the connection's own address is the loopback one.
        server.localAddress = listener.localAddress != null && listener.localAddress.isAnyLocalAddress() ? null
                : listener.localAddress;
        server.remotePort = c.localPort;
        c.peer = server;
        server.peer = c;
        listener.backlog.add(server);
        acceptPending(listener);
    }

    /** An AcceptEx was posted on {@code listener}: it takes a waiting connection, if any. */
    void acceptPending(SimulatedWinApi.Sock listener) {
        while (!listener.backlog.isEmpty()) {
            long[] accept = null;
            for (Iterator<long[]> i = listener.pending.iterator(); i.hasNext();) {
                long[] p = i.next();
                if (p[1] == SimulatedOverlapped.ACCEPT) {
                    accept = p;
                    i.remove();
                    break;
                }
            }
            if (accept == null) {
                return;
            }
            SimulatedWinApi.Sock server = listener.backlog.remove(0);
            SimulatedWinApi.Sock a = api.sockets.get(accept[5]);
            // The accept socket takes over the connection the listener's stack made.
            a.stream = true;
            a.localPort = server.localPort;
            a.localAddress = server.localAddress;
            a.remotePort = server.remotePort;
            a.in = server.in;
            a.inLength = server.inLength;
            a.finReceived = server.finReceived;
            a.resetReceived = server.resetReceived;
            a.peer = server.peer;
            if (a.peer != null) {
                a.peer.peer = a;
            }
            api.complete(listener, accept[0], 0, 0);
        }
    }

    /** WSASend on a stream socket. */
    int send(SimulatedWinApi.Sock s, long ov, byte[] data) {
        s.written.write(data, 0, data.length);
        if (s.shutSend) {
            return api.fail(Codes.WSAESHUTDOWN);
        }
        if (s.peer == null || s.resetReceived) {
            api.complete(s, ov, SimulatedWinApi.STATUS_ERROR | Codes.WSAECONNRESET, 0);
            return api.fail(Codes.ERROR_IO_PENDING);
        }
        s.sends.add(new Object[] {ov, data});
        pushSends(s);
        return api.fail(Codes.ERROR_IO_PENDING);
    }

    /** Moves {@code s}'s waiting sends into its peer's window, in order, as far as they fit. */
    private void pushSends(SimulatedWinApi.Sock s) {
        SimulatedWinApi.Sock peer = s.peer;
        while (!s.sends.isEmpty()) {
            Object[] send = s.sends.get(0);
            byte[] data = (byte[]) send[1];
            if (peer == null) {
                s.sends.remove(0);
                api.complete(s, (Long) send[0], SimulatedWinApi.STATUS_ERROR | Codes.WSAECONNRESET, 0);
                continue;
            }
            if (peer.inLength > 0 && peer.inLength + data.length > WINDOW) {
                return; // waits for the peer to read
            }
            s.sends.remove(0);
            append(peer, data);
            api.complete(s, (Long) send[0], 0, data.length);
            receivePending(peer);
        }
    }

    private static void append(SimulatedWinApi.Sock s, byte[] data) {
        if (s.in.length < s.inLength + data.length) {
            byte[] bigger = new byte[Math.max(s.in.length * 2, s.inLength + data.length)];
            System.arraycopy(s.in, 0, bigger, 0, s.inLength);
            s.in = bigger;
        }
        System.arraycopy(data, 0, s.in, s.inLength, data.length);
        s.inLength += data.length;
    }

    /** WSARecv on a stream socket: completes at once if bytes, a FIN or a reset are there, else waits. */
    int receive(SimulatedWinApi.Sock s, long ov, long wsabufs) {
        s.pending.add(new long[] {ov, SimulatedOverlapped.RECV, wsabufs, 1, 0});
        receivePending(s);
        return api.fail(Codes.ERROR_IO_PENDING);
    }

    private void receivePending(SimulatedWinApi.Sock s) {
        for (Iterator<long[]> i = s.pending.iterator(); i.hasNext();) {
            long[] p = i.next();
            if (p[1] != SimulatedOverlapped.RECV) {
                continue;
            }
            if (s.resetReceived) {
                i.remove();
                api.complete(s, p[0], SimulatedWinApi.STATUS_ERROR | Codes.WSAECONNRESET, 0);
            } else if (s.inLength > 0) {
                i.remove();
                Pointer wsabuf = new Pointer(p[2]);
                int n = Math.min(wsabuf.getInt(0), s.inLength);
                wsabuf.getPointer(8).write(0, s.in, 0, n);
                System.arraycopy(s.in, n, s.in, 0, s.inLength - n);
                s.inLength -= n;
                api.complete(s, p[0], 0, n);
                if (s.peer != null) {
                    pushSends(s.peer);
                }
            } else if (s.finReceived) {
                i.remove();
                api.complete(s, p[0], 0, 0);
            }
            return; // one receive at a time, oldest first
        }
    }

    /** shutdown(SD_SEND or SD_BOTH): a FIN after what was sent. */
    void shutdownSend(SimulatedWinApi.Sock s) {
        if (s.shutSend) {
            return;
        }
        s.shutSend = true;
        if (s.peer != null) {
            s.peer.finReceived = true;
            receivePending(s.peer);
        }
    }

    /** closesocket of a stream socket: a reset if SO_LINGER is {on, 0}, else a FIN. */
    void closed(SimulatedWinApi.Sock s) {
        for (Object[] send : s.sends) {
            api.complete(s, (Long) send[0], SimulatedWinApi.STATUS_CANCELLED, 0);
        }
        s.sends.clear();
        SimulatedWinApi.Sock peer = s.peer;
        if (peer == null) {
            return;
        }
        boolean reset = s.options.getOrDefault(SO_LINGER, 0) == 1;
        if (reset) {
            peer.resetReceived = true;
            peer.inLength = 0;
            List<Object[]> sends = new ArrayList<>(peer.sends);
            peer.sends.clear();
            for (Object[] send : sends) {
                api.complete(peer, (Long) send[0], SimulatedWinApi.STATUS_ERROR | Codes.WSAECONNRESET, 0);
            }
        } else if (!s.shutSend) {
            peer.finReceived = true;
        }
        peer.peer = null;
        s.peer = null;
        receivePending(peer);
    }
}
