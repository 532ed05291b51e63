// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.IocpCompletion;
import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpHandler;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.IocpSubmission;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.WinsockCalls;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A UDP endpoint on a Windows completion port, written against the public {@link IocpPort}
 * only: the socket is made with {@link WinsockCalls}, {@value #RECEIVES} {@code WSARecvFrom}s
 * stay posted (IOCP has no multishot receive, and one posted receive would leave the socket's
 * buffer to absorb every datagram that arrives while its completion waits for the loop), and
 * sends are one {@code WSASendTo} per datagram from a pool of {@link IocpSendSlots}.
 *
 * <p>Each receive owns a block: the payload ({@link UdpOptions#maxDatagramSize()} bytes), then
 * room for the sender's {@code sockaddr}. The handler is lent a view of the payload, and the
 * receive is posted again when the handler returns. A datagram larger than the payload fails
 * its receive with {@code WSAEMSGSIZE}: it is reported as too large and dropped.
 *
 * <p>An unconnected socket switches {@code SIO_UDP_CONNRESET} off, as the JDK does, so that an
 * ICMP port-unreachable answering one send does not fail a later receive; a connected one keeps
 * it, and its receive then reports the unreachable peer ({@code WSAECONNRESET}, typed as
 * {@link java.net.PortUnreachableException}) and is posted again.
 *
 * <p><b>Lifecycle.</b> After {@link #close()} the queue drains into send slots; once every send
 * has completed, the registration is closed (closing it earlier would cancel accepted sends),
 * and in {@link #unregistered} — after Windows let go of every buffer — the socket is closed and
 * {@code onClose} runs.
 *
 * <p><b>Concurrency.</b> As {@link BaseEndpoint}; the port is used on the loop thread only
 * ({@link #join}/{@link #leave} from other threads hand over and wait).
 */
final class IocpEndpoint extends BaseEndpoint implements IocpHandler {

    /** Receives kept posted. */
    static final int RECEIVES = 4;
    private static final int WSAEMSGSIZE = 10040;

    private final IocpPort port;
    private final WinsockCalls winsock;
    private final long socket;
    private final boolean ipv6;
    private final IocpSocketOptions socketOptions;
    private final IocpSendSlots slots = new IocpSendSlots();
    private final Receive[] receives = new Receive[RECEIVES];
    private final PeerCache peers;
    private final PeerCache.Codec codec;
    private final Set<Membership> memberships = new HashSet<>();
    private IocpRegistration registration;
    private boolean awaitingWritable;
    private boolean closingSocket;

    /** One posted receive: its block and the handler's view of the payload. */
    private static final class Receive {
        final NativeBlock block;
        final ByteBuffer raw;
        final ByteBuffer payload;
        final int addressOffset;

        Receive(NativeBlock block, int payloadSize, int addressOffset) {
            this.block = block;
            this.raw = block.buffer();
            this.payload = raw.duplicate().clear().slice(0, payloadSize);
            this.addressOffset = addressOffset;
        }
    }

    private IocpEndpoint(EventLoop loop, IocpPort port, long socket, boolean ipv6, IocpSocketOptions socketOptions,
            DatagramHandler handler, UdpOptions options, InetSocketAddress local, InetSocketAddress remote) {
        super(loop, handler, options, local, remote);
        this.port = port;
        this.winsock = port.winsock();
        this.socket = socket;
        this.ipv6 = ipv6;
        this.socketOptions = socketOptions;
        this.peers = PeerCache.of(port);
        this.codec = PeerCache.Codec.of(winsock);
    }

    /**
     * Opens, configures, binds, connects and starts an endpoint, then completes {@code result}:
     * with the endpoint, or, if onOpen threw, exceptionally with that once the socket is closed;
     * loop thread.
     */
    static void open(EventLoop loop, IocpPort port, InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options, CompletableFuture<? super IocpEndpoint> result)
            throws IOException {
        WinsockCalls winsock = port.winsock();
        boolean ipv6 = local.getAddress() instanceof Inet6Address;
        long socket = winsock.socket(ipv6 ? WinsockCalls.AF_INET6 : WinsockCalls.AF_INET, WinsockCalls.SOCK_DGRAM,
                WinsockCalls.IPPROTO_UDP);
        IocpEndpoint endpoint = null;
        try {
            IocpSocketOptions socketOptions = new IocpSocketOptions(winsock, socket, ipv6);
            if (ipv6) {
                socketOptions.dualStack();
            }
            SocketSetup.configure(socketOptions::set, IocpSocketOptions.SUPPORTED, options);
            winsock.bind(socket, local);
            if (remote != null) {
                winsock.connect(socket, remote);
            } else {
                winsock.control(socket, WinsockCalls.SIO_UDP_CONNRESET, 0);
            }
            endpoint = new IocpEndpoint(loop, port, socket, ipv6, socketOptions, handler, options,
                    winsock.localAddress(socket), remote);
            endpoint.start();
        } catch (IOException | RuntimeException e) {
            if (endpoint != null && endpoint.registration != null) {
                throw e; // the registration closes the socket in unregistered()
            }
            try {
                winsock.close(socket);
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        Throwable failure = endpoint.opened();
        if (failure != null) {
            endpoint.openFailed(failure, result);
        } else {
            endpoint.watchLoop();
            result.complete(endpoint);
        }
    }

    /** Associates the socket and posts the receives; undone if any step fails. */
    private void start() {
        registration = port.associate(socket, this);
        try {
            int payloadSize = options.maxDatagramSize();
            int addressOffset = (payloadSize + 7) & ~7;
            for (int i = 0; i < RECEIVES; i++) {
                receives[i] = new Receive(registration.allocate(addressOffset + IocpPort.SOCKADDR_STORAGE_SIZE),
                        payloadSize, addressOffset);
                post(i);
            }
        } catch (RuntimeException e) {
            registration.close(); // unregistered() closes the socket; the endpoint was never opened, so no callback runs
            throw e;
        }
    }

    private void post(int index) {
        Receive r = receives[index];
        registration.prepare(IocpFunction.WSA_RECV_FROM).buffer(r.block, 0, r.payload.capacity())
                .address(r.block, r.addressOffset, IocpPort.SOCKADDR_STORAGE_SIZE).tag(-1 - index).submit();
    }

    // ---- completions, on the loop thread

    @Override
    public void complete(IocpRegistration r, IocpCompletion c) {
        if (c.tag() < 0) {
            received((int) (-1 - c.tag()), c);
        } else {
            sent(slots.get((int) c.tag()), c);
        }
    }

    private void received(int index, IocpCompletion c) {
        if (closingSocket || c.isCancelled()) {
            return; // cancelled by the registration's close; nothing is posted again
        }
        try {
            hand(receives[index], c);
        } finally {
            // Posted again whatever the handling did, unless it closed the endpoint.
            if (!closingSocket && registration.isOpen()) {
                post(index);
            }
        }
    }

    private void hand(Receive r, IocpCompletion c) {
        if (c.isSuccess()) {
            InetSocketAddress sender = c.addressLength() > 0 ? peers.decode(codec, r.raw, r.addressOffset, c.addressLength())
                    : remote;
            ByteBuffer payload = r.payload;
            payload.clear().limit(c.bytes());
            payload.order(ByteOrder.BIG_ENDIAN); // as every ByteBuffer starts; a handler may have changed it
            deliver(payload, sender);
        } else if (c.error() == WSAEMSGSIZE || c.error() == IocpCompletion.ERROR_MORE_DATA) {
            tooLarge(c.addressLength() > 0 ? peers.decode(codec, r.raw, r.addressOffset, c.addressLength()) : remote);
        } else {
            // An ICMP port-unreachable on a connected socket, for instance: reported, and the socket goes on.
            ioError(c.exception());
        }
    }

    private void sent(IocpSendSlots.Slot slot, IocpCompletion c) {
        slots.release(slot);
        if (!c.isSuccess()) {
            // Reported while closing too: a send accepted before close is sent or reported, never lost.
            ioError(c.exception());
        }
        if (closingSocket) {
            closeRegistrationWhenSent();
        } else if (awaitingWritable) {
            awaitingWritable = false;
            if (!released()) {
                flush();
            }
        }
    }

    // ---- sending

    @Override
    boolean sendNow(ByteBuffer data, InetSocketAddress to) {
        IocpSendSlots.Slot slot = slots.take(registration);
        if (slot == null) {
            awaitingWritable = true;
            return false;
        }
        int position = data.position();
        try {
            slots.fill(slot, registration, data);
            IocpSubmission send = registration.prepare(IocpFunction.WSA_SEND_TO).buffer(slot.payload, 0, slot.length)
                    .tag(slot.index);
            if (remote == null) {
                slot.targetLength = peers.encode(codec, to, ipv6, slot.target.buffer().clear());
                send.address(slot.target, 0, slot.targetLength);
            }
            send.submit();
            return true;
        } catch (RuntimeException e) {
            // Refused for this datagram alone: the slot is free again, the caller reports it.
            data.position(position);
            slots.release(slot);
            throw e;
        }
    }

    @Override
    void flushLater() {
        // After a refusal a send completion drains the queue; otherwise nothing would.
        if (!awaitingWritable) {
            scheduleFlush();
        }
    }

    @Override
    void drained() {
    }

    // ---- closing

    @Override
    void closeSocket() {
        closingSocket = true;
        memberships.clear();
        if (registration == null) {
            socketClosed();
            return;
        }
        closeRegistrationWhenSent();
    }

    /**
     * Closes the registration once no send is in flight: closing it cancels every operation,
     * and a send still in flight would be lost without a word. A send stuck for good is bounded
     * by the loop's close timeout.
     */
    private void closeRegistrationWhenSent() {
        if (slots.inFlight() == 0 && registration.isOpen()) {
            registration.close();
        }
    }

    @Override
    public void loopClosing(IocpRegistration r) {
        // The endpoint's own loop close hook has already begun its close (flush, then this
        // registration); closing the registration here would cancel accepted sends.
        loopClosed();
    }

    @Override
    public void unregistered(IocpRegistration r) {
        try {
            winsock.close(socket);
        } catch (IOException e) {
            error(e);
        }
        // Also when the loop cancelled the registration itself (its close timeout passed before
        // the endpoint had closed it): socketClosed() then reports what was still queued.
        closingSocket = true;
        socketClosed();
    }

    // ---- multicast

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface) throws IOException {
        Membership m = membership(group, networkInterface);
        checkOpen();
        onLoop(() -> {
            if (!memberships.contains(m)) {
                socketOptions.membership(true, group, networkInterface);
                memberships.add(m);
            }
        });
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface) {
        Membership m = membership(group, networkInterface);
        onLoopUnchecked(() -> {
            if (memberships.remove(m) && !closingSocket) {
                socketOptions.membership(false, group, networkInterface);
            }
        });
    }
}
