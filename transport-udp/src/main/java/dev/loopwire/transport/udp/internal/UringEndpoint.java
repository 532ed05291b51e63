// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.SubmissionQueueFullException;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
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
 * A UDP endpoint on io_uring, written against the public {@link UringPort} only: the socket is
 * made with {@link PosixCalls}, receives are one multishot {@code RECVMSG} selecting from the
 * loop's shared provided-buffer group, and sends are one {@code SENDMSG} per datagram from a
 * pool of {@link UringSendSlots} (the loop submits every SQE of a turn in one
 * {@code io_uring_enter}).
 *
 * <p>Each group buffer holds an {@code io_uring_recvmsg_out} header (16 bytes), the sender's
 * {@code sockaddr} (room for {@value #NAME} bytes), then the payload; the handler is lent a
 * slice of the payload, which goes back to the kernel when the handler returns. When the group
 * runs dry the kernel ends the multishot receive with {@code ENOBUFS}; the datagrams wait in the
 * socket and the receive is armed again at once (the buffers are back by the end of the turn).
 * Senders and targets go through the loop's {@link PeerCache}, so a returning peer costs no
 * allocation.
 *
 * <p><b>Lifecycle.</b> After {@link #close()} the queue drains into send slots; once every send
 * has completed, the registration is closed (closing it earlier would cancel accepted sends),
 * and in {@link #unregistered} — after the kernel let go of every buffer — the fd is closed and
 * {@code onClose} runs.
 *
 * <p><b>Concurrency.</b> As {@link BaseEndpoint}; the port is used on the loop thread only
 * ({@link #join}/{@link #leave} from other threads hand over and wait).
 */
final class UringEndpoint extends BaseEndpoint implements UringHandler {

    /** Room for the sender's sockaddr in each received buffer ({@code msg_namelen}). */
    static final int NAME = 32;
    private static final int HEADER = 16 + NAME;
    private static final int MSG_TRUNC = 0x20;
    private static final long RECEIVE = -1;

    private final UringPort port;
    private final PosixCalls posix;
    private final int fd;
    private final boolean ipv6;
    private final PosixOptions socketOptions;
    private final UringSendSlots slots = new UringSendSlots();
    private final PeerCache peers;
    private final PeerCache.Codec codec;
    private final Set<Membership> memberships = new HashSet<>();
    private final ByteBuffer target = ByteBuffer.allocate(UringSendSlots.NAME).order(ByteOrder.nativeOrder());
    private final Runnable retry = this::retry;
    private UringRegistration registration;
    private UringBufferGroup group;
    private NativeBlock template;
    private ByteBuffer[] payloads;
    private InetSocketAddress lastTarget;
    private int targetLength;
    private boolean receiving;
    private boolean awaitingWritable;
    private boolean retryScheduled;
    private boolean closingSocket;

    private UringEndpoint(EventLoop loop, UringPort port, int fd, boolean ipv6, PosixOptions socketOptions,
            DatagramHandler handler, UdpOptions options, InetSocketAddress local, InetSocketAddress remote) {
        super(loop, handler, options, local, remote);
        this.port = port;
        this.posix = port.posix();
        this.fd = fd;
        this.ipv6 = ipv6;
        this.socketOptions = socketOptions;
        this.peers = PeerCache.of(port);
        this.codec = PeerCache.Codec.of(posix);
    }

    /**
     * Opens, configures, binds, connects and starts an endpoint, then completes {@code result}:
     * with the endpoint, or, if onOpen threw, exceptionally with that once the fd is closed;
     * loop thread.
     */
    static void open(EventLoop loop, UringPort port, InetSocketAddress local, InetSocketAddress remote,
            DatagramHandler handler, UdpOptions options, CompletableFuture<? super UringEndpoint> result)
            throws IOException {
        PosixCalls posix = port.posix();
        boolean ipv6 = local.getAddress() instanceof Inet6Address;
        int fd = posix.socket(ipv6 ? PosixCalls.AF_INET6 : PosixCalls.AF_INET,
                PosixCalls.SOCK_DGRAM | PosixCalls.SOCK_NONBLOCK, 0);
        UringEndpoint endpoint = null;
        try {
            PosixOptions socketOptions = new PosixOptions(posix, fd, ipv6);
            if (ipv6) {
                socketOptions.dualStack();
            }
            SocketSetup.configure(socketOptions::set, PosixOptions.SUPPORTED, options);
            posix.bind(fd, local);
            if (remote != null) {
                posix.connect(fd, remote);
            }
            endpoint = new UringEndpoint(loop, port, fd, ipv6, socketOptions, handler, options,
                    posix.localAddress(fd), remote);
            endpoint.start();
        } catch (IOException | RuntimeException e) {
            if (endpoint != null && endpoint.registration != null) {
                throw e; // the registration closes the fd in unregistered()
            }
            try {
                posix.close(fd);
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

    /** Takes the buffer group, registers the fd and arms the receive; undone if any step fails. */
    private void start() {
        group = port.bufferGroup(HEADER + options.maxDatagramSize());
        payloads = new ByteBuffer[group.count()];
        registration = port.register(fd, this);
        try {
            template = registration.allocate(56); // a msghdr: only msg_namelen is set
            template.buffer().order(ByteOrder.nativeOrder()).putInt(8, NAME);
            arm();
        } catch (RuntimeException e) {
            registration.close(); // unregistered() closes the fd; the endpoint was never opened, so no callback runs
            throw e;
        }
    }

    private void arm() {
        registration.prepare(UringPort.OP_RECVMSG).addr(template, 0).len(1)
                .ioprio(UringPort.RECV_MULTISHOT).bufferGroup(group).tag(RECEIVE).submit();
        receiving = true;
    }

    // ---- completions, on the loop thread

    @Override
    public void complete(UringRegistration r, UringCompletion c) {
        if (c.tag() == RECEIVE) {
            received(c);
        } else {
            sent(slots.get((int) c.tag()), c.result());
        }
    }

    private void received(UringCompletion c) {
        if (!c.hasMore()) {
            receiving = false;
        }
        int result = c.result();
        if (c.bufferId() >= 0 && result >= 0) {
            if (!closingSocket) {
                deliver(c.bufferId(), c.buffer(), result);
            }
        } else if (result < 0 && result != -Errnos.ENOBUFS && result != -Errnos.ECANCELED && !closingSocket) {
            // An ICMP error on a connected socket, for instance: reported, and the socket goes on.
            ioError(Errnos.exception("recvmsg", -result));
        }
        if (!receiving && !closingSocket) {
            rearm();
        }
    }

    private void deliver(int bid, ByteBuffer buffer, int result) {
        ByteBuffer in = buffer.order(ByteOrder.nativeOrder());
        int nameLength = Math.min(in.getInt(0), NAME);
        int payloadLength = in.getInt(8);
        int messageFlags = in.getInt(12);
        InetSocketAddress sender = peers.decode(codec, in, 16, nameLength);
        if ((messageFlags & MSG_TRUNC) != 0 || payloadLength > options.maxDatagramSize()
                || payloadLength > result - HEADER) {
            tooLarge(sender);
            return;
        }
        ByteBuffer payload = payloads[bid];
        if (payload == null) {
            // Once per buffer id: a slice over the whole buffer (the view's limit is this datagram's).
            payload = in.duplicate().clear().slice(HEADER, in.capacity() - HEADER);
            payloads[bid] = payload;
        }
        payload.clear().limit(payloadLength);
        payload.order(ByteOrder.BIG_ENDIAN); // as every ByteBuffer starts; a handler may have changed it
        deliver(payload, sender);
    }

    private void rearm() {
        try {
            arm();
        } catch (SubmissionQueueFullException e) {
            scheduleRetry();
        }
    }

    private void sent(UringSendSlots.Slot slot, int result) {
        slots.release(slot);
        if (result < 0) {
            // Reported while closing too: a send accepted before close is sent or reported, never lost.
            ioError(Errnos.exception("sendmsg", -result));
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

    /** A submission found the queue full: try again on a later turn, once the kernel made room. */
    private void scheduleRetry() {
        if (!retryScheduled) {
            retryScheduled = true;
            loop.execute(retry);
        }
    }

    private void retry() {
        retryScheduled = false;
        if (closingSocket) {
            return;
        }
        if (!receiving) {
            rearm();
        }
        if (awaitingWritable && slots.inFlight() == 0) {
            // No send of ours is in flight, so no completion would say there is room again.
            awaitingWritable = false;
            if (!released()) {
                flush();
            }
        }
    }

    // ---- sending

    @Override
    boolean sendNow(ByteBuffer data, InetSocketAddress to) {
        UringSendSlots.Slot slot = slots.take(registration);
        if (slot == null) {
            awaitingWritable = true;
            return false;
        }
        int position = data.position();
        if (remote != null) {
            slots.fill(slot, registration, data, target, 0);
        } else {
            if (to != lastTarget) {
                targetLength = peers.encode(codec, to, ipv6, target.clear());
                lastTarget = to;
            }
            slots.fill(slot, registration, data, target, targetLength);
        }
        try {
            registration.prepare(UringPort.OP_SENDMSG).addr(slot.header, 0).len(1).tag(slot.index).submit();
            return true;
        } catch (SubmissionQueueFullException e) {
            data.position(position);
            slots.release(slot);
            awaitingWritable = true;
            if (slots.inFlight() == 0) {
                scheduleRetry();
            }
            return false;
        } catch (RuntimeException e) {
            // Refused for this datagram alone: the slot is free again, the caller reports it.
            data.position(position);
            slots.release(slot);
            throw e;
        }
    }

    @Override
    void flushLater() {
        // After a refusal a send completion (or the retry) drains the queue; otherwise nothing would.
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
     * and a send the kernel parked for a full send buffer would be lost without a word. A send
     * stuck for good is bounded by the loop's close timeout.
     */
    private void closeRegistrationWhenSent() {
        if (slots.inFlight() == 0 && registration.isOpen()) {
            registration.close();
        }
    }

    @Override
    public void loopClosing(UringRegistration r) {
        // The endpoint's own loop close hook has already begun its close (flush, then this
        // registration); closing the registration here would cancel accepted sends.
        loopClosed();
    }

    @Override
    public void unregistered(UringRegistration r) {
        try {
            posix.close(fd);
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
