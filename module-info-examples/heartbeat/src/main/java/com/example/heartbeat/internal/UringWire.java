// SPDX-License-Identifier: Apache-2.0
package com.example.heartbeat.internal;

import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.PosixCalls;
import dev.loopwire.loop.UringBufferGroup;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A heartbeat socket on io_uring through the public {@link UringPort}: made with
 * {@link PosixCalls}, receiving with one multishot {@code RECVMSG} from the loop's shared buffer
 * group (each buffer: a 16-byte header, the sender's sockaddr, the beat), sending each beat with a
 * {@code SENDMSG} from one of a few fixed slots (a beat that finds none free is dropped; the next
 * interval sends another). Loop thread only.
 */
final class UringWire implements Wire, UringHandler {

    private static final System.Logger LOG = System.getLogger(UringWire.class.getName());
    private static final int NAME = 32;
    private static final int HEADER = 16 + NAME;
    private static final int BEAT = 64;
    private static final int SLOTS = 8;
    private static final long RECEIVE = -1;

    private final UringPort port;
    private final int fd;
    private final boolean ipv6;
    private final PresenceCore core;
    private final InetSocketAddress local;
    private final UringRegistration registration;
    private final UringBufferGroup group;
    private final NativeBlock template;
    private final NativeBlock[] slots = new NativeBlock[SLOTS];
    private final boolean[] busy = new boolean[SLOTS];
    private final ByteBuffer name = ByteBuffer.allocate(NAME).order(ByteOrder.nativeOrder());
    private boolean closing;

    private UringWire(UringPort port, int fd, boolean ipv6, PresenceCore core) throws IOException {
        this.port = port;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.core = core;
        this.local = port.posix().localAddress(fd);
        this.registration = port.register(fd, this);
        this.group = port.bufferGroup(HEADER + BEAT);
        this.template = registration.allocate(56); // a msghdr asking for the sender's name only
        template.buffer().putInt(8, NAME);
        for (int i = 0; i < SLOTS; i++) {
            NativeBlock slot = registration.allocate(128 + BEAT); // msghdr, iovec, sockaddr, beat
            slot.putAddress(0, slot, 72); // msg_name
            slot.putAddress(16, slot, 56); // msg_iov
            slot.buffer().putLong(24, 1); // msg_iovlen
            slot.putAddress(56, slot, 128); // iov_base
            slots[i] = slot;
        }
    }

    /** Opens, binds and starts receiving; on the loop thread. */
    static UringWire open(UringPort port, InetSocketAddress local, PresenceCore core) throws IOException {
        boolean ipv6 = local.getAddress() instanceof Inet6Address;
        int fd = port.posix().socket(ipv6 ? PosixCalls.AF_INET6 : PosixCalls.AF_INET, PosixCalls.SOCK_DGRAM, 0);
        UringWire wire;
        try {
            port.posix().bind(fd, local);
            wire = new UringWire(port, fd, ipv6, core);
        } catch (IOException | RuntimeException e) {
            port.posix().close(fd);
            throw e;
        }
        wire.receive();
        return wire;
    }

    private void receive() {
        registration.prepare(UringPort.OP_RECVMSG).addr(template, 0).len(1).ioprio(UringPort.RECV_MULTISHOT)
                .bufferGroup(group).tag(RECEIVE).submit();
    }

    @Override
    public void complete(UringRegistration r, UringCompletion c) {
        if (c.tag() != RECEIVE) {
            busy[(int) c.tag()] = false;
            return;
        }
        ByteBuffer in = c.buffer();
        if (in != null && c.result() >= HEADER && !closing) {
            in.order(ByteOrder.nativeOrder());
            int length = Math.min(in.getInt(8), c.result() - HEADER);
            InetSocketAddress sender = port.posix().decode(in.position(16), Math.min(in.getInt(0), NAME));
            core.received(in.order(ByteOrder.BIG_ENDIAN).limit(HEADER + length).position(HEADER), sender);
        }
        if (!c.hasMore() && !closing) {
            receive(); // ENOBUFS, or an error: arm again
        }
    }

    @Override
    public boolean send(ByteBuffer beat, InetSocketAddress peer) {
        for (int i = 0; i < SLOTS; i++) {
            if (!busy[i] && beat.remaining() <= BEAT) {
                ByteBuffer slot = slots[i].buffer();
                int length = beat.remaining();
                slot.put(128, beat, beat.position(), length);
                slot.putLong(64, length); // iov_len
                slot.putInt(8, port.posix().encode(peer, ipv6, name.clear())); // msg_namelen
                slot.put(72, name, 0, NAME);
                registration.prepare(UringPort.OP_SENDMSG).addr(slots[i], 0).len(1).tag(i).submit();
                busy[i] = true;
                beat.position(beat.limit());
                return true;
            }
        }
        return false;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void close() {
        closing = true;
        registration.close(); // cancels what is in flight; unregistered() follows
    }

    @Override
    public void unregistered(UringRegistration r) {
        try {
            port.posix().close(fd);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing heartbeat socket " + local + " failed", e);
        }
    }
}
