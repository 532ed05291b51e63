// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import java.net.NetworkInterface;
import java.util.Objects;

/**
 * The socket and queue options of a UDP endpoint.
 *
 * <p>Instances are immutable and thread-safe; {@link #builder()} and {@link #toBuilder()} make
 * changed copies. Defaults are those of the operating system for the socket options, and:
 * max datagram size 65,507 (the IPv4 limit), send queue 1 MiB and 1,024 datagrams, 16 datagrams
 * read per readiness event, multicast TTL 1 with loopback on.
 */
public final class UdpOptions {

    /** The largest UDP payload over IPv4: 65,535 minus the IP (20) and UDP (8) headers. */
    public static final int MAX_IPV4_PAYLOAD = 65_507;
    /** The largest UDP payload over IPv6 without jumbograms: 65,535 minus the UDP header. */
    public static final int MAX_IPV6_PAYLOAD = 65_527;

    private static final UdpOptions DEFAULTS = new Builder().build();

    private final boolean reuseAddress;
    private final boolean reusePort;
    private final int receiveBufferSize;
    private final int sendBufferSize;
    private final boolean broadcast;
    private final NetworkInterface multicastInterface;
    private final int multicastTtl;
    private final boolean multicastLoopback;
    private final int maxDatagramSize;
    private final int sendQueueBytes;
    private final int sendQueueDatagrams;
    private final int readsPerEvent;

    private UdpOptions(Builder b) {
        reuseAddress = b.reuseAddress;
        reusePort = b.reusePort;
        receiveBufferSize = b.receiveBufferSize;
        sendBufferSize = b.sendBufferSize;
        broadcast = b.broadcast;
        multicastInterface = b.multicastInterface;
        multicastTtl = b.multicastTtl;
        multicastLoopback = b.multicastLoopback;
        maxDatagramSize = b.maxDatagramSize;
        sendQueueBytes = b.sendQueueBytes;
        sendQueueDatagrams = b.sendQueueDatagrams;
        readsPerEvent = b.readsPerEvent;
    }

    /**
     * The defaults described above.
     *
     * @return the shared default options; never {@code null}
     */
    public static UdpOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder; never {@code null}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these options.
     *
     * @return a new builder holding these options' values; building it unchanged gives options
     *     equal to these; never {@code null}
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.reuseAddress = reuseAddress;
        b.reusePort = reusePort;
        b.receiveBufferSize = receiveBufferSize;
        b.sendBufferSize = sendBufferSize;
        b.broadcast = broadcast;
        b.multicastInterface = multicastInterface;
        b.multicastTtl = multicastTtl;
        b.multicastLoopback = multicastLoopback;
        b.maxDatagramSize = maxDatagramSize;
        b.sendQueueBytes = sendQueueBytes;
        b.sendQueueDatagrams = sendQueueDatagrams;
        b.readsPerEvent = readsPerEvent;
        return b;
    }

    /**
     * {@code SO_REUSEADDR}; default {@code false}.
     *
     * @return whether the socket is bound with {@code SO_REUSEADDR}
     */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * {@code SO_REUSEPORT}; default {@code false}. Opening fails where the system lacks it.
     *
     * @return whether the socket is bound with {@code SO_REUSEPORT}
     */
    public boolean reusePort() {
        return reusePort;
    }

    /**
     * {@code SO_RCVBUF} in bytes, or 0 for the system default.
     *
     * @return the receive buffer size asked for, in bytes; 0 leaves the system's default
     */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /**
     * {@code SO_SNDBUF} in bytes, or 0 for the system default.
     *
     * @return the send buffer size asked for, in bytes; 0 leaves the system's default
     */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /**
     * {@code SO_BROADCAST}; default {@code false}.
     *
     * @return whether the socket may send to broadcast addresses
     */
    public boolean broadcast() {
        return broadcast;
    }

    /**
     * {@code IP_MULTICAST_IF}, or {@code null} for the system's choice.
     *
     * @return the interface multicast datagrams are sent from, or {@code null} to let the
     *     system choose
     */
    public NetworkInterface multicastInterface() {
        return multicastInterface;
    }

    /**
     * {@code IP_MULTICAST_TTL}; default 1 (the local network).
     *
     * @return the time-to-live of multicast datagrams sent, 0 to 255
     */
    public int multicastTtl() {
        return multicastTtl;
    }

    /**
     * {@code IP_MULTICAST_LOOP}; default {@code true}.
     *
     * @return whether multicast datagrams sent are looped back to this host's members
     */
    public boolean multicastLoopback() {
        return multicastLoopback;
    }

    /**
     * The largest datagram payload sent or received; default 65,507. Larger sends are refused
     * with {@link DatagramTooLargeException}; larger incoming datagrams are dropped and reported
     * to {@link DatagramHandler#onError}.
     *
     * @return the size limit in bytes, 1 to 65,527
     */
    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    /**
     * The most payload bytes the send queue holds; default 1 MiB; at least the max datagram size.
     *
     * @return the send queue's bound in payload bytes, never below {@link #maxDatagramSize()}
     */
    public int sendQueueBytes() {
        return sendQueueBytes;
    }

    /**
     * The most datagrams the send queue holds; default 1,024.
     *
     * @return the send queue's bound in datagrams, at least 1
     */
    public int sendQueueDatagrams() {
        return sendQueueDatagrams;
    }

    /**
     * The most datagrams read per readiness event before other channels get their turn;
     * default 16. Readiness loops only: on a completion loop the port keeps receives submitted
     * and hands over each datagram as it completes.
     *
     * @return the number of reads per readiness event, at least 1
     */
    public int readsPerEvent() {
        return readsPerEvent;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpOptions x && reuseAddress == x.reuseAddress && reusePort == x.reusePort
                && receiveBufferSize == x.receiveBufferSize && sendBufferSize == x.sendBufferSize
                && broadcast == x.broadcast && Objects.equals(multicastInterface, x.multicastInterface)
                && multicastTtl == x.multicastTtl && multicastLoopback == x.multicastLoopback
                && maxDatagramSize == x.maxDatagramSize && sendQueueBytes == x.sendQueueBytes
                && sendQueueDatagrams == x.sendQueueDatagrams && readsPerEvent == x.readsPerEvent;
    }

    @Override
    public int hashCode() {
        return Objects.hash(reuseAddress, reusePort, receiveBufferSize, sendBufferSize, broadcast,
                multicastInterface, multicastTtl, multicastLoopback, maxDatagramSize, sendQueueBytes,
                sendQueueDatagrams, readsPerEvent);
    }

    @Override
    public String toString() {
        return "UdpOptions[reuseAddress=" + reuseAddress + " reusePort=" + reusePort
                + " receiveBufferSize=" + receiveBufferSize + " sendBufferSize=" + sendBufferSize
                + " broadcast=" + broadcast + " multicastInterface="
                + (multicastInterface == null ? "default" : multicastInterface.getName())
                + " multicastTtl=" + multicastTtl + " multicastLoopback=" + multicastLoopback
                + " maxDatagramSize=" + maxDatagramSize + " sendQueueBytes=" + sendQueueBytes
                + " sendQueueDatagrams=" + sendQueueDatagrams + " readsPerEvent=" + readsPerEvent + "]";
    }

    /**
     * Builds {@link UdpOptions}. Each setter checks its value and throws
     * {@link IllegalArgumentException} naming it; {@link #build()} checks the combination.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private boolean reuseAddress;
        private boolean reusePort;
        private int receiveBufferSize;
        private int sendBufferSize;
        private boolean broadcast;
        private NetworkInterface multicastInterface;
        private int multicastTtl = 1;
        private boolean multicastLoopback = true;
        private int maxDatagramSize = MAX_IPV4_PAYLOAD;
        private int sendQueueBytes = 1 << 20;
        private int sendQueueDatagrams = 1024;
        private int readsPerEvent = 16;

        private Builder() {
        }

        /**
         * See {@link UdpOptions#reuseAddress()}.
         *
         * @param on {@code true} to bind with {@code SO_REUSEADDR}
         * @return this builder
         */
        public Builder reuseAddress(boolean on) {
            reuseAddress = on;
            return this;
        }

        /**
         * See {@link UdpOptions#reusePort()}.
         *
         * @param on {@code true} to bind with {@code SO_REUSEPORT}
         * @return this builder
         */
        public Builder reusePort(boolean on) {
            reusePort = on;
            return this;
        }

        /**
         * See {@link UdpOptions#receiveBufferSize()}; 0 for the system default.
         *
         * @param bytes the receive buffer size, or 0 for the system default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder receiveBufferSize(int bytes) {
            receiveBufferSize = atLeast("receiveBufferSize", bytes, 0, "0 for the system default");
            return this;
        }

        /**
         * See {@link UdpOptions#sendBufferSize()}; 0 for the system default.
         *
         * @param bytes the send buffer size, or 0 for the system default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder sendBufferSize(int bytes) {
            sendBufferSize = atLeast("sendBufferSize", bytes, 0, "0 for the system default");
            return this;
        }

        /**
         * See {@link UdpOptions#broadcast()}.
         *
         * @param on {@code true} to allow sending to broadcast addresses
         * @return this builder
         */
        public Builder broadcast(boolean on) {
            broadcast = on;
            return this;
        }

        /**
         * See {@link UdpOptions#multicastInterface()}; {@code null} for the system's choice.
         *
         * @param networkInterface the interface to send multicast datagrams from, or {@code null}
         * @return this builder
         */
        public Builder multicastInterface(NetworkInterface networkInterface) {
            multicastInterface = networkInterface;
            return this;
        }

        /**
         * See {@link UdpOptions#multicastTtl()}; 0 to 255.
         *
         * @param ttl the time-to-live of multicast datagrams, 0 (this host only) to 255
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is outside 0 to 255
         */
        public Builder multicastTtl(int ttl) {
            if (ttl < 0 || ttl > 255) {
                throw new IllegalArgumentException("multicastTtl '" + ttl + "' is out of range; use 0 to 255");
            }
            multicastTtl = ttl;
            return this;
        }

        /**
         * See {@link UdpOptions#multicastLoopback()}.
         *
         * @param on {@code true} to loop multicast datagrams sent back to this host's members
         * @return this builder
         */
        public Builder multicastLoopback(boolean on) {
            multicastLoopback = on;
            return this;
        }

        /**
         * See {@link UdpOptions#maxDatagramSize()}; 1 to 65,527.
         *
         * @param bytes the largest payload sent or received, 1 to 65,527
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is outside 1 to 65,527
         */
        public Builder maxDatagramSize(int bytes) {
            if (bytes < 1 || bytes > MAX_IPV6_PAYLOAD) {
                throw new IllegalArgumentException("maxDatagramSize '" + bytes + "' is out of range; use 1 to "
                        + MAX_IPV6_PAYLOAD + " (" + MAX_IPV4_PAYLOAD + " is the IPv4 limit)");
            }
            maxDatagramSize = bytes;
            return this;
        }

        /**
         * See {@link UdpOptions#sendQueueBytes()}; at least 1.
         *
         * @param bytes the send queue's bound in payload bytes; {@link #build()} checks that it
         *     holds one datagram of the maximum size
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is below 1
         */
        public Builder sendQueueBytes(int bytes) {
            sendQueueBytes = atLeast("sendQueueBytes", bytes, 1, "a bound of at least one datagram");
            return this;
        }

        /**
         * See {@link UdpOptions#sendQueueDatagrams()}; at least 1.
         *
         * @param datagrams the send queue's bound in datagrams
         * @return this builder
         * @throws IllegalArgumentException if {@code datagrams} is below 1
         */
        public Builder sendQueueDatagrams(int datagrams) {
            sendQueueDatagrams = atLeast("sendQueueDatagrams", datagrams, 1, "a bound of at least one datagram");
            return this;
        }

        /**
         * See {@link UdpOptions#readsPerEvent()}; at least 1.
         *
         * @param datagrams the most datagrams read per readiness event
         * @return this builder
         * @throws IllegalArgumentException if {@code datagrams} is below 1
         */
        public Builder readsPerEvent(int datagrams) {
            readsPerEvent = atLeast("readsPerEvent", datagrams, 1, "at least 1");
            return this;
        }

        /**
         * The options.
         *
         * @return new immutable options holding this builder's values; never {@code null}
         * @throws IllegalArgumentException if the send queue cannot hold one datagram of the
         *     maximum size
         */
        public UdpOptions build() {
            if (sendQueueBytes < maxDatagramSize) {
                throw new IllegalArgumentException("sendQueueBytes '" + sendQueueBytes
                        + "' is smaller than maxDatagramSize '" + maxDatagramSize
                        + "'; raise sendQueueBytes or lower maxDatagramSize so that one datagram fits");
            }
            return new UdpOptions(this);
        }

        private static int atLeast(String name, int value, int min, String hint) {
            if (value < min) {
                throw new IllegalArgumentException(name + " '" + value + "' is out of range; use " + hint);
            }
            return value;
        }
    }
}
