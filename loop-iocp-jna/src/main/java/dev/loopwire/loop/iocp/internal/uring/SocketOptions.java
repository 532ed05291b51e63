package dev.loopwire.loop.iocp.internal.uring;

import com.sun.jna.Memory;
import dev.loopwire.loop.iocp.internal.NativeMemory;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;

/**
 * The synchronous socket calls of a {@link UringDatagram}: bind, connect, getsockname, socket
 * options and multicast membership, through libc with a scratch block owned by the backend.
 *
 * <p>On an IPv6 (dual-stack) socket the IPv6 option is the one that counts; the IPv4 twin is
 * set as well, best effort, so IPv4-mapped traffic behaves the same (as the JDK does).
 *
 * <p>Loop thread only.
 */
final class SocketOptions {

    private static final int SOL_SOCKET = 1;
    private static final int IPPROTO_IP = 0;
    private static final int IPPROTO_IPV6 = 41;
    private static final int SCRATCH_ADDRESS = 0;
    private static final int SCRATCH_LENGTH = 64;
    private static final int SCRATCH_VALUE = 72;

    private final int fd;
    private final boolean ipv6;
    private final Memory scratch;
    private final ByteBuffer view;
    private final long address;
    private NetworkInterface multicastInterface;

    SocketOptions(int fd, boolean ipv6, Memory scratch) {
        this.fd = fd;
        this.ipv6 = ipv6;
        this.scratch = scratch;
        this.view = NativeMemory.view(scratch);
        this.address = NativeMemory.address(scratch);
    }

    void bind(InetSocketAddress local) throws IOException {
        int length = SockAddr.encode(local, ipv6, view, SCRATCH_ADDRESS);
        if (LibC.bind(fd, address + SCRATCH_ADDRESS, length) != 0) {
            throw Errno.exception("bind to '" + local + "'", LibC.errno());
        }
    }

    void connect(InetSocketAddress remote) throws IOException {
        int length = SockAddr.encode(remote, ipv6, view, SCRATCH_ADDRESS);
        if (LibC.connect(fd, address + SCRATCH_ADDRESS, length) != 0) {
            throw Errno.exception("connect to '" + remote + "'", LibC.errno());
        }
    }

    InetSocketAddress localAddress() throws IOException {
        view.putInt(SCRATCH_LENGTH, SockAddr.SIZE);
        if (LibC.getsockname(fd, address + SCRATCH_ADDRESS, address + SCRATCH_LENGTH) != 0) {
            throw Errno.exception("getsockname", LibC.errno());
        }
        InetSocketAddress local = SockAddr.decodeFresh(view, SCRATCH_ADDRESS, view.getInt(SCRATCH_LENGTH));
        return local == null || local.getPort() == 0 ? null : local;
    }

    <T> void set(SocketOption<T> option, T value) throws IOException {
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            setInt(SOL_SOCKET, 2, bool(value), option);
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            setInt(SOL_SOCKET, 15, bool(value), option);
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            setInt(SOL_SOCKET, 6, bool(value), option);
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            setInt(SOL_SOCKET, 7, (Integer) value, option);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            setInt(SOL_SOCKET, 8, (Integer) value, option);
        } else if (option == StandardSocketOptions.IP_TOS) {
            setBoth(1, 67, (Integer) value, option);
        } else if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            setBoth(33, 18, (Integer) value, option);
        } else if (option == StandardSocketOptions.IP_MULTICAST_LOOP) {
            setBoth(34, 19, bool(value), option);
        } else if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface nif = (NetworkInterface) value;
            if (ipv6) {
                setInt(IPPROTO_IPV6, 17, nif.getIndex(), option);
            }
            view.putLong(SCRATCH_VALUE, 0); // ip_mreqn: no group, no local address, ...
            view.putInt(SCRATCH_VALUE + 8, nif.getIndex()); // ... only the interface index
            int result = LibC.setsockopt(fd, IPPROTO_IP, 32, address + SCRATCH_VALUE, 12);
            if (result != 0 && !ipv6) {
                throw Errno.exception("setsockopt " + option.name() + " to '" + nif.getName() + "'", LibC.errno());
            }
            multicastInterface = nif;
        } else {
            throw new UnsupportedOperationException("'" + option.name() + "' is not supported");
        }
    }

    @SuppressWarnings("unchecked")
    <T> T get(SocketOption<T> option) throws IOException {
        Object value;
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            value = getInt(SOL_SOCKET, 2, option) != 0;
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            value = getInt(SOL_SOCKET, 15, option) != 0;
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            value = getInt(SOL_SOCKET, 6, option) != 0;
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            value = getInt(SOL_SOCKET, 7, option);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            value = getInt(SOL_SOCKET, 8, option);
        } else if (option == StandardSocketOptions.IP_TOS) {
            value = ipv6 ? getInt(IPPROTO_IPV6, 67, option) : getInt(IPPROTO_IP, 1, option);
        } else if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            value = ipv6 ? getInt(IPPROTO_IPV6, 18, option) : getInt(IPPROTO_IP, 33, option);
        } else if (option == StandardSocketOptions.IP_MULTICAST_LOOP) {
            value = (ipv6 ? getInt(IPPROTO_IPV6, 19, option) : getInt(IPPROTO_IP, 34, option)) != 0;
        } else if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            // Linux reports IP_MULTICAST_IF as an address, not the index that was set: keep ours.
            value = multicastInterface;
        } else {
            throw new UnsupportedOperationException("'" + option.name() + "' is not supported");
        }
        return (T) value;
    }

    void membership(boolean join, InetAddress group, NetworkInterface nif) throws IOException {
        String what = (join ? "join" : "leave") + " '" + group.getHostAddress() + "' on '" + nif.getName() + "'";
        int result;
        if (group instanceof Inet4Address) {
            view.put(SCRATCH_VALUE, group.getAddress(), 0, 4); // ip_mreqn
            view.putInt(SCRATCH_VALUE + 4, 0);
            view.putInt(SCRATCH_VALUE + 8, nif.getIndex());
            result = LibC.setsockopt(fd, IPPROTO_IP, join ? 35 : 36, address + SCRATCH_VALUE, 12);
        } else {
            view.put(SCRATCH_VALUE, group.getAddress(), 0, 16); // ipv6_mreq
            view.putInt(SCRATCH_VALUE + 16, nif.getIndex());
            result = LibC.setsockopt(fd, IPPROTO_IPV6, join ? 20 : 21, address + SCRATCH_VALUE, 20);
        }
        if (result != 0) {
            throw Errno.exception(what, LibC.errno());
        }
    }

    /** Makes an IPv6 socket dual-stack (Linux may default to v6-only). */
    void dualStack() throws IOException {
        view.putInt(SCRATCH_VALUE, 0);
        if (LibC.setsockopt(fd, IPPROTO_IPV6, 26, address + SCRATCH_VALUE, 4) != 0) {
            throw Errno.exception("setsockopt IPV6_V6ONLY to 0", LibC.errno());
        }
    }

    private void setBoth(int ipv4Name, int ipv6Name, int value, SocketOption<?> option) throws IOException {
        if (ipv6) {
            setInt(IPPROTO_IPV6, ipv6Name, value, option);
            view.putInt(SCRATCH_VALUE, value);
            LibC.setsockopt(fd, IPPROTO_IP, ipv4Name, address + SCRATCH_VALUE, 4); // best effort
        } else {
            setInt(IPPROTO_IP, ipv4Name, value, option);
        }
    }

    private void setInt(int level, int name, int value, SocketOption<?> option) throws IOException {
        view.putInt(SCRATCH_VALUE, value);
        if (LibC.setsockopt(fd, level, name, address + SCRATCH_VALUE, 4) != 0) {
            throw Errno.exception("setsockopt " + option.name() + " to '" + value + "'", LibC.errno());
        }
    }

    private int getInt(int level, int name, SocketOption<?> option) throws IOException {
        view.putInt(SCRATCH_VALUE, 0);
        view.putInt(SCRATCH_LENGTH, 4);
        if (LibC.getsockopt(fd, level, name, address + SCRATCH_VALUE, address + SCRATCH_LENGTH) != 0) {
            throw Errno.exception("getsockopt " + option.name(), LibC.errno());
        }
        return view.getInt(SCRATCH_VALUE);
    }

    private static int bool(Object value) {
        return (Boolean) value ? 1 : 0;
    }
}
