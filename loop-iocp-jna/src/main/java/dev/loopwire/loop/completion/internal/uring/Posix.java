// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.uring;

import com.sun.jna.Native;
import dev.loopwire.loop.PosixCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The {@link PosixCalls} facet of a {@link LoopUringPort}: one libc call per method, errors typed
 * by {@link Errno}. Closing an fd that is still registered with any loop of the JVM, or that is
 * any loop's own ring or eventfd, is refused, so that no operation in flight, and no later
 * registration of the same number, can meet a reused fd.
 *
 * <p>Thread-safe.
 */
final class Posix implements PosixCalls {

    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int O_CLOEXEC = 0x80000;

    private final LoopUringPort port;

    Posix(LoopUringPort port) {
        this.port = port;
    }

    @Override
    public int socket(int domain, int type, int protocol) throws IOException {
        int fd = PosixLibC.socket(domain, type | SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw failed("socket(" + domain + ", " + type + ", " + protocol + ")");
        }
        return fd;
    }

    @Override
    public int[] pipe(int flags) throws IOException {
        int[] fds = new int[2];
        if (PosixLibC.pipe2(fds, flags | O_CLOEXEC) < 0) {
            throw failed("pipe2");
        }
        return fds;
    }

    @Override
    public void setOption(int fd, int level, int name, int value) throws IOException {
        byte[] bytes = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value).array();
        if (PosixLibC.setsockopt(fd, level, name, bytes, 4) < 0) {
            throw failed("setsockopt(fd " + fd + ", " + level + ", " + name + ", " + value + ")");
        }
    }

    @Override
    public void setOption(int fd, int level, int name, ByteBuffer value) throws IOException {
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        if (PosixLibC.setsockopt(fd, level, name, bytes, bytes.length) < 0) {
            throw failed("setsockopt(fd " + fd + ", " + level + ", " + name + ")");
        }
    }

    @Override
    public int getOption(int fd, int level, int name) throws IOException {
        byte[] bytes = new byte[4];
        int[] length = {4};
        if (PosixLibC.getsockopt(fd, level, name, bytes, length) < 0) {
            throw failed("getsockopt(fd " + fd + ", " + level + ", " + name + ")");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt(0);
    }

    @Override
    public int getOption(int fd, int level, int name, ByteBuffer value) throws IOException {
        byte[] bytes = new byte[value.remaining()];
        int[] length = {bytes.length};
        if (PosixLibC.getsockopt(fd, level, name, bytes, length) < 0) {
            throw failed("getsockopt(fd " + fd + ", " + level + ", " + name + ")");
        }
        value.duplicate().put(bytes, 0, Math.min(length[0], bytes.length));
        return length[0];
    }

    @Override
    public void bind(int fd, ByteBuffer address) throws IOException {
        byte[] bytes = new byte[address.remaining()];
        address.duplicate().get(bytes);
        if (PosixLibC.bind(fd, bytes, bytes.length) < 0) {
            throw failed("bind(fd " + fd + ")");
        }
    }

    @Override
    public void bind(int fd, InetSocketAddress address) throws IOException {
        byte[] bytes = sockaddr(fd, address);
        if (PosixLibC.bind(fd, bytes, bytes.length) < 0) {
            throw failed("bind to " + address);
        }
    }

    @Override
    public void connect(int fd, InetSocketAddress address) throws IOException {
        byte[] bytes = sockaddr(fd, address);
        if (PosixLibC.connect(fd, bytes, bytes.length) < 0) {
            throw failed("connect to " + address);
        }
    }

    private byte[] sockaddr(int fd, InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        boolean ipv6 = family(fd) == AF_INET6;
        ByteBuffer out = ByteBuffer.allocate(SockAddr.SIZE).order(ByteOrder.nativeOrder());
        int length = encode(address, ipv6, out);
        byte[] bytes = new byte[length];
        out.get(0, bytes);
        return bytes;
    }

    private int family(int fd) throws IOException {
        byte[] name = new byte[SockAddr.SIZE];
        int[] length = {name.length};
        if (PosixLibC.getsockname(fd, name, length) < 0) {
            throw failed("getsockname(fd " + fd + ")");
        }
        return ByteBuffer.wrap(name).order(ByteOrder.nativeOrder()).getShort(0) & 0xffff;
    }

    @Override
    public void listen(int fd, int backlog) throws IOException {
        if (PosixLibC.listen(fd, backlog) < 0) {
            throw failed("listen(fd " + fd + ", " + backlog + ")");
        }
    }

    @Override
    public InetSocketAddress localAddress(int fd) throws IOException {
        byte[] name = new byte[SockAddr.SIZE];
        int[] length = {name.length};
        if (PosixLibC.getsockname(fd, name, length) < 0) {
            throw failed("getsockname(fd " + fd + ")");
        }
        return decode(ByteBuffer.wrap(name), length[0]);
    }

    @Override
    public InetSocketAddress remoteAddress(int fd) throws IOException {
        byte[] name = new byte[SockAddr.SIZE];
        int[] length = {name.length};
        if (PosixLibC.getpeername(fd, name, length) < 0) {
            throw failed("getpeername(fd " + fd + ")");
        }
        return decode(ByteBuffer.wrap(name), length[0]);
    }

    @Override
    public void shutdown(int fd, int how) throws IOException {
        if (PosixLibC.shutdown(fd, how) < 0) {
            throw failed("shutdown(fd " + fd + ", " + how + ")");
        }
    }

    @Override
    public void close(int fd) throws IOException {
        port.checkNotLoopFd(fd, "closed", -1);
        LoopUringPort holder = LiveLoops.registering(fd); // on any loop, not only this one
        if (holder != null) {
            throw new IllegalStateException("fd '" + fd + "' is still registered with loop '" + holder.context().name()
                    + "'; close its registration and close the fd in UringHandler.unregistered");
        }
        if (PosixLibC.close(fd) < 0) {
            throw failed("close(fd " + fd + ")");
        }
    }

    @Override
    public int encode(InetSocketAddress address, boolean ipv6, ByteBuffer out) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("Address '" + address + "' is unresolved; resolve it first");
        }
        if (!ipv6 && address.getAddress() instanceof java.net.Inet6Address) {
            throw new IllegalArgumentException("Address '" + address + "' is IPv6 but the socket is IPv4; "
                    + "open an AF_INET6 socket");
        }
        ByteBuffer scratch = ByteBuffer.allocate(SockAddr.SIZE).order(ByteOrder.nativeOrder());
        int length = SockAddr.encode(address, ipv6, scratch, 0);
        out.put(out.position(), scratch.array(), 0, length);
        return length;
    }

    @Override
    public InetSocketAddress decode(ByteBuffer in, int length) {
        ByteBuffer native_ = in.duplicate().order(ByteOrder.nativeOrder());
        InetSocketAddress address = SockAddr.decodeFresh(native_, in.position(), length);
        if (address == null) {
            throw new IllegalArgumentException("sockaddr of length '" + length + "' is neither AF_INET nor AF_INET6");
        }
        return address;
    }

    private static IOException failed(String call) {
        return Errno.exception(call, Native.getLastError());
    }
}
