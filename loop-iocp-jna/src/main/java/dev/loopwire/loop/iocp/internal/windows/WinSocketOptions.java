package dev.loopwire.loop.iocp.internal.windows;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/**
 * Maps {@link StandardSocketOptions} and multicast membership onto Winsock {@code setsockopt}
 * levels, names and value bytes for one {@link IocpSocket}.
 *
 * <p>Values follow the Winsock documentation: booleans and small integers are 4-byte
 * {@code DWORD}/{@code BOOL}s; {@code IP_MULTICAST_IF} and {@code ip_mreq.imr_interface} take an
 * interface index in network byte order written as an address in {@code 0.0.0.0/8};
 * {@code IPV6_MULTICAST_IF} and {@code ipv6_mreq.ipv6mr_interface} take it in host order. An IPv4
 * group is joined at the {@code IPPROTO_IP} level even on a dual-stack IPv6 socket, as Windows
 * requires. Windows has no {@code SO_REUSEPORT}.
 *
 * <p><b>Thread-safety.</b> The static encoders are pure; an instance belongs to one socket and
 * its loop thread.
 */
final class WinSocketOptions {

    private final IocpDriver driver;
    private final IocpSocket socket;

    WinSocketOptions(IocpDriver driver, IocpSocket socket) {
        this.driver = driver;
        this.socket = socket;
    }

    <T> void set(SocketOption<T> option, T value) throws IOException {
        if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            int index = ((NetworkInterface) value).getIndex();
            if (socket.isIpv6()) {
                driver.setIntOption(socket, Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_MULTICAST_IF, index);
            } else {
                driver.setRawOption(socket, Ws2_32.IPPROTO_IP, Ws2_32.IP_MULTICAST_IF, ipv4InterfaceIndex(index));
            }
            return;
        }
        int[] levelAndName = levelAndName(option, socket.isIpv6());
        int raw = value instanceof Boolean ? ((Boolean) value ? 1 : 0) : (Integer) value;
        driver.setIntOption(socket, levelAndName[0], levelAndName[1], raw);
    }

    @SuppressWarnings("unchecked")
    <T> T get(SocketOption<T> option) throws IOException {
        if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            if (socket.isIpv6()) {
                int index = driver.getIntOption(socket, Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_MULTICAST_IF);
                return (T) (index == 0 ? null : NetworkInterface.getByIndex(index));
            }
            int raw = driver.getIntOption(socket, Ws2_32.IPPROTO_IP, Ws2_32.IP_MULTICAST_IF);
            return (T) ipv4MulticastInterface(raw);
        }
        int[] levelAndName = levelAndName(option, socket.isIpv6());
        int raw = driver.getIntOption(socket, levelAndName[0], levelAndName[1]);
        if (option.type() == Boolean.class) {
            return (T) Boolean.valueOf(raw != 0);
        }
        return (T) Integer.valueOf(raw);
    }

    void membership(boolean join, InetAddress group, NetworkInterface networkInterface) throws IOException {
        int index = networkInterface.getIndex();
        if (group instanceof Inet4Address) {
            driver.setRawOption(socket, Ws2_32.IPPROTO_IP, join ? Ws2_32.IP_ADD_MEMBERSHIP : Ws2_32.IP_DROP_MEMBERSHIP,
                    ipMreq(group, index));
        } else {
            driver.setRawOption(socket, Ws2_32.IPPROTO_IPV6,
                    join ? Ws2_32.IPV6_ADD_MEMBERSHIP : Ws2_32.IPV6_DROP_MEMBERSHIP, ipv6Mreq(group, index));
        }
    }

    /** The Winsock level and name of an integer or boolean option. */
    static int[] levelAndName(SocketOption<?> option, boolean ipv6) {
        if (option == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {Ws2_32.SOL_SOCKET, Ws2_32.SO_RCVBUF};
        }
        if (option == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {Ws2_32.SOL_SOCKET, Ws2_32.SO_SNDBUF};
        }
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {Ws2_32.SOL_SOCKET, Ws2_32.SO_REUSEADDR};
        }
        if (option == StandardSocketOptions.SO_BROADCAST) {
            return new int[] {Ws2_32.SOL_SOCKET, Ws2_32.SO_BROADCAST};
        }
        if (option == StandardSocketOptions.IP_TOS) {
            // IPPROTO_IP options apply to the IPv4 traffic of a dual-stack socket too.
            return new int[] {Ws2_32.IPPROTO_IP, Ws2_32.IP_TOS};
        }
        if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            return ipv6 ? new int[] {Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_MULTICAST_HOPS}
                    : new int[] {Ws2_32.IPPROTO_IP, Ws2_32.IP_MULTICAST_TTL};
        }
        if (option == StandardSocketOptions.IP_MULTICAST_LOOP) {
            return ipv6 ? new int[] {Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_MULTICAST_LOOP}
                    : new int[] {Ws2_32.IPPROTO_IP, Ws2_32.IP_MULTICAST_LOOP};
        }
        if (option == StandardSocketOptions.SO_REUSEPORT) {
            throw new UnsupportedOperationException("Option 'SO_REUSEPORT' does not exist on Windows;"
                    + " use SO_REUSEADDR");
        }
        throw new UnsupportedOperationException("Option '" + option.name() + "' is not supported by the IOCP backend");
    }

    /** An interface index as the 4 bytes of an address in 0.0.0.0/8, network byte order. */
    static byte[] ipv4InterfaceIndex(int index) {
        if (index < 0 || index > 0xffffff) {
            throw new IllegalArgumentException("Interface index '" + index
                    + "' does not fit the IPv4 index form 0.x.x.x; choose the interface by address");
        }
        return new byte[] {0, (byte) (index >>> 16), (byte) (index >>> 8), (byte) index};
    }

    /** {@code ip_mreq}: the group, then the interface as {@link #ipv4InterfaceIndex}. */
    static byte[] ipMreq(InetAddress group, int index) {
        byte[] out = new byte[8];
        System.arraycopy(group.getAddress(), 0, out, 0, 4);
        System.arraycopy(ipv4InterfaceIndex(index), 0, out, 4, 4);
        return out;
    }

    /** {@code ipv6_mreq}: the 16-byte group, then the interface index as a little-endian ULONG. */
    static byte[] ipv6Mreq(InetAddress group, int index) {
        byte[] out = new byte[20];
        System.arraycopy(group.getAddress(), 0, out, 0, 16);
        for (int i = 0; i < 4; i++) {
            out[16 + i] = (byte) (index >>> (8 * i));
        }
        return out;
    }

    /**
     * The interface of an {@code IP_MULTICAST_IF} value read as a little-endian int: an index in
     * the 0.x.x.x form, an interface address, or 0 for the default.
     */
    static NetworkInterface ipv4MulticastInterface(int raw) throws SocketException {
        byte[] bytes = {(byte) raw, (byte) (raw >>> 8), (byte) (raw >>> 16), (byte) (raw >>> 24)};
        if (raw == 0) {
            return null;
        }
        if (bytes[0] == 0) {
            return NetworkInterface.getByIndex(((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff));
        }
        try {
            return NetworkInterface.getByInetAddress(InetAddress.getByAddress(bytes));
        } catch (java.net.UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
