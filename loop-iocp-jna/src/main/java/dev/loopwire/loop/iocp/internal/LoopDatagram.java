package dev.loopwire.loop.iocp.internal;

import dev.loopwire.loop.CompletionPort;
import dev.loopwire.loop.CompletionPort.DatagramListener;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@link CompletionPort.Datagram} a completion loop hands out, whatever the backend: it
 * checks the thread, the state and every argument, guards the listener (a listener that throws
 * goes to the loop's exception handler), and delegates to the backend's {@link BackendSocket}.
 *
 * <p><b>Lifecycle.</b> Open until {@link #close()}; then every call but {@link #close()},
 * {@link #isOpen()}, {@link #family()} and the addresses throws {@link IllegalStateException}.
 *
 * <p><b>Concurrency.</b> Loop thread only (checked).
 */
public final class LoopDatagram implements CompletionPort.Datagram {

    /** The largest UDP payload over IPv4: 65,535 - 8 (UDP header) - 20 (IP header). */
    public static final int MAX_DATAGRAM = 65_507;
    /**
     * The largest UDP payload over IPv6 without jumbograms: 65,535 - 8 (UDP header); the IPv6
     * header is not counted in its payload length. Linux 6.18 sends 65,527 bytes on ::1 and
     * refuses 65,528 with EMSGSIZE (measured); to an IPv4(-mapped) peer the IPv4 limit holds.
     */
    public static final int MAX_DATAGRAM_IPV6 = 65_527;

    private static final Set<SocketOption<?>> OPTIONS = Set.of(
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_MULTICAST_IF,
            StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP,
            StandardSocketOptions.IP_TOS);

    private final LoopContext loop;
    private final ProtocolFamily family;
    private final Guarded listener;
    private BackendSocket socket;
    private InetSocketAddress local;
    private InetSocketAddress remote;
    private boolean open = true;

    private LoopDatagram(LoopContext loop, ProtocolFamily family, Guarded listener) {
        this.loop = loop;
        this.family = family;
        this.listener = listener;
    }

    /**
     * Opens a socket on {@code backend}.
     *
     * @param onClosed told once the socket has fully closed
     */
    public static LoopDatagram open(LoopContext loop, CompletionBackend backend, ProtocolFamily family,
            DatagramListener listener, Consumer<LoopDatagram> onClosed) throws IOException {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(listener, "listener");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new UnsupportedOperationException("Protocol family '" + family
                    + "' is not supported by a completion port; use StandardProtocolFamily.INET or INET6");
        }
        Guarded guarded = new Guarded(listener, loop);
        LoopDatagram datagram = new LoopDatagram(loop, family, guarded);
        guarded.onClosed = () -> onClosed.accept(datagram);
        datagram.socket = backend.openDatagram(family, guarded);
        return datagram;
    }

    @Override
    public ProtocolFamily family() {
        return family;
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        checkOpen("bind");
        socket.bind(checkAddress(local, "bind to"));
        this.local = socket.localAddress();
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        checkOpen("connect");
        socket.connect(checkAddress(remote, "connect to"));
        this.remote = remote;
        this.local = socket.localAddress();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        checkOpen("setOption");
        checkOption(option);
        if (value == null) {
            throw new IllegalArgumentException("Option '" + option.name() + "' cannot be set to null");
        }
        if ((option == StandardSocketOptions.SO_RCVBUF || option == StandardSocketOptions.SO_SNDBUF)
                && (Integer) value < 0) {
            throw new IllegalArgumentException("Option '" + option.name() + "' cannot be negative: '" + value + "'");
        }
        if ((option == StandardSocketOptions.IP_MULTICAST_TTL || option == StandardSocketOptions.IP_TOS)
                && ((Integer) value < 0 || (Integer) value > 255)) {
            throw new IllegalArgumentException("Option '" + option.name() + "' must be 0 to 255, not '" + value + "'");
        }
        socket.setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        checkOpen("getOption");
        checkOption(option);
        return socket.getOption(option);
    }

    private void checkOption(SocketOption<?> option) {
        Objects.requireNonNull(option, "option");
        if (!OPTIONS.contains(option)) {
            throw new UnsupportedOperationException("Option '" + option.name()
                    + "' is not supported by a completion-port datagram socket; supported: " + OPTIONS);
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface) throws IOException {
        checkOpen("join");
        socket.join(checkGroup(group), Objects.requireNonNull(networkInterface, "networkInterface"));
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface) throws IOException {
        checkOpen("leave");
        socket.leave(checkGroup(group), Objects.requireNonNull(networkInterface, "networkInterface"));
    }

    private InetAddress checkGroup(InetAddress group) {
        Objects.requireNonNull(group, "group");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("'" + group.getHostAddress() + "' is not a multicast address");
        }
        if (group instanceof Inet6Address && family == StandardProtocolFamily.INET) {
            throw new IllegalArgumentException("Cannot join IPv6 group '" + group.getHostAddress()
                    + "' on an IPv4 socket; open the socket with StandardProtocolFamily.INET6");
        }
        return group;
    }

    @Override
    public void startReceiving(int maxDatagramSize) {
        checkOpen("startReceiving");
        if (maxDatagramSize < 1 || maxDatagramSize > 65_535) {
            throw new IllegalArgumentException("maxDatagramSize must be 1 to 65535, not '" + maxDatagramSize + "'");
        }
        socket.startReceiving(maxDatagramSize);
    }

    @Override
    public boolean send(ByteBuffer data, InetSocketAddress target) {
        checkOpen("send");
        Objects.requireNonNull(data, "data");
        int size = data.remaining();
        if (target == null) {
            if (remote == null) {
                throw new IllegalArgumentException("No target given and the socket is not connected; "
                        + "pass a target or connect first");
            }
        } else {
            checkAddress(target, "send to");
        }
        InetSocketAddress to = target != null ? target : remote;
        int max = to.getAddress() instanceof Inet4Address ? MAX_DATAGRAM : MAX_DATAGRAM_IPV6;
        if (size > max) {
            throw new IllegalArgumentException("Datagram of '" + size + "' bytes is larger than the UDP maximum of "
                    + max + " bytes; split it");
        }
        return socket.send(data, target);
    }

    private InetSocketAddress checkAddress(InetSocketAddress address, String what) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("Cannot " + what + " unresolved address '" + address
                    + "'; resolve it first");
        }
        if (family == StandardProtocolFamily.INET && !(address.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("Cannot " + what + " IPv6 address '" + address
                    + "' from an IPv4 socket; open the socket with StandardProtocolFamily.INET6");
        }
        return address;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        checkThread("close");
        if (open) {
            open = false;
            socket.close();
        }
    }

    /** Operations in flight, for the loop's accounting. */
    public int inflight() {
        return socket.inflight();
    }

    private void checkOpen(String what) {
        checkThread(what);
        if (!open) {
            throw new IllegalStateException("Cannot " + what + ": the datagram socket is closed; open a new one");
        }
    }

    private void checkThread(String what) {
        if (!loop.inLoop()) {
            throw new IllegalStateException(what + " must be called on the thread of loop '" + loop.name()
                    + "'; hand it over with loop.execute(...)");
        }
    }

    @Override
    public String toString() {
        return "Datagram[" + (open ? "open" : "closed") + " " + family + " local=" + local
                + (remote != null ? " remote=" + remote : "") + "]";
    }

    /** Passes events on and sends what a listener throws to the loop's handler. */
    private static final class Guarded implements DatagramListener {
        private final DatagramListener delegate;
        private final LoopContext loop;
        private Runnable onClosed;

        Guarded(DatagramListener delegate, LoopContext loop) {
            this.delegate = delegate;
            this.loop = loop;
        }

        @Override
        public void received(ByteBuffer data, InetSocketAddress sender) {
            try {
                delegate.received(data, sender);
            } catch (Throwable t) {
                loop.handle(t);
            }
        }

        @Override
        public void oversized(int length, int maxDatagramSize, InetSocketAddress sender) {
            try {
                delegate.oversized(length, maxDatagramSize, sender);
            } catch (Throwable t) {
                loop.handle(t);
            }
        }

        @Override
        public void writable() {
            try {
                delegate.writable();
            } catch (Throwable t) {
                loop.handle(t);
            }
        }

        @Override
        public void failed(IOException error) {
            try {
                delegate.failed(error);
            } catch (Throwable t) {
                loop.handle(t);
            }
        }

        @Override
        public void closed() {
            onClosed.run();
            try {
                delegate.closed();
            } catch (Throwable t) {
                loop.handle(t);
            }
        }
    }
}
