// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp;

import java.time.Duration;
import java.util.Objects;

/**
 * The socket and queue options of TCP connections and listeners.
 *
 * <p>Instances are immutable and thread-safe; {@link #builder()} and {@link #toBuilder()} make
 * changed copies. Every setter checks its value and throws an {@link IllegalArgumentException}
 * that quotes it and gives the allowed range; {@link Builder#build()} checks the combination.
 *
 * <p>Defaults: no-delay on; keep-alive off; the system's buffer sizes; {@code SO_REUSEADDR} on
 * listening sockets (as the JDK and servers do on Linux and macOS), {@code SO_REUSEPORT} off;
 * backlog 1,024; write water marks 32 KiB / 64 KiB; write queue limit 16 MiB; read buffer
 * 64 KiB; 16 reads and 16 accepts per readiness event; connect timeout 30 s.
 */
public final class TcpOptions {

    /** The largest {@link #writeQueueLimit()}: 1 GiB. */
    public static final int MAX_WRITE_QUEUE_LIMIT = 1 << 30;
    /** The largest {@link #readBufferSize()}: 16 MiB. */
    public static final int MAX_READ_BUFFER_SIZE = 16 << 20;
    /** The largest keep-alive idle time and interval Linux accepts: 32,767 s. */
    public static final int MAX_KEEPALIVE_SECONDS = 32_767;
    /** The largest keep-alive probe count Linux accepts: 127. */
    public static final int MAX_KEEPALIVE_COUNT = 127;

    private static final TcpOptions DEFAULTS = new Builder().build();

    private final boolean noDelay;
    private final boolean keepAlive;
    private final int keepAliveIdleSeconds;
    private final int keepAliveIntervalSeconds;
    private final int keepAliveCount;
    private final int receiveBufferSize;
    private final int sendBufferSize;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final int backlog;
    private final int writeBufferLowWaterMark;
    private final int writeBufferHighWaterMark;
    private final int writeQueueLimit;
    private final int readBufferSize;
    private final int readsPerEvent;
    private final int acceptsPerEvent;
    private final Duration connectTimeout;

    private TcpOptions(Builder b) {
        noDelay = b.noDelay;
        keepAlive = b.keepAlive;
        keepAliveIdleSeconds = b.keepAliveIdleSeconds;
        keepAliveIntervalSeconds = b.keepAliveIntervalSeconds;
        keepAliveCount = b.keepAliveCount;
        receiveBufferSize = b.receiveBufferSize;
        sendBufferSize = b.sendBufferSize;
        reuseAddress = b.reuseAddress;
        reusePort = b.reusePort;
        backlog = b.backlog;
        writeBufferLowWaterMark = b.writeBufferLowWaterMark;
        writeBufferHighWaterMark = b.writeBufferHighWaterMark;
        writeQueueLimit = b.writeQueueLimit;
        readBufferSize = b.readBufferSize;
        readsPerEvent = b.readsPerEvent;
        acceptsPerEvent = b.acceptsPerEvent;
        connectTimeout = b.connectTimeout;
    }

    /**
     * The defaults described above.
     *
     * @return the default options
     */
    public static TcpOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder holding the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these options.
     *
     * @return a new builder holding these options
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.noDelay = noDelay;
        b.keepAlive = keepAlive;
        b.keepAliveIdleSeconds = keepAliveIdleSeconds;
        b.keepAliveIntervalSeconds = keepAliveIntervalSeconds;
        b.keepAliveCount = keepAliveCount;
        b.receiveBufferSize = receiveBufferSize;
        b.sendBufferSize = sendBufferSize;
        b.reuseAddress = reuseAddress;
        b.reusePort = reusePort;
        b.backlog = backlog;
        b.writeBufferLowWaterMark = writeBufferLowWaterMark;
        b.writeBufferHighWaterMark = writeBufferHighWaterMark;
        b.writeQueueLimit = writeQueueLimit;
        b.readBufferSize = readBufferSize;
        b.readsPerEvent = readsPerEvent;
        b.acceptsPerEvent = acceptsPerEvent;
        b.connectTimeout = connectTimeout;
        return b;
    }

    /**
     * {@code TCP_NODELAY} (Nagle's algorithm off); default {@code true}.
     *
     * @return the value of {@code noDelay}
     */
    public boolean noDelay() {
        return noDelay;
    }

    /**
     * {@code SO_KEEPALIVE}; default {@code false}.
     *
     * @return the value of {@code keepAlive}
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * {@code TCP_KEEPIDLE} in seconds, or 0 for the system default.
     *
     * @return the value of {@code keepAliveIdleSeconds}
     */
    public int keepAliveIdleSeconds() {
        return keepAliveIdleSeconds;
    }

    /**
     * {@code TCP_KEEPINTERVAL} in seconds, or 0 for the system default.
     *
     * @return the value of {@code keepAliveIntervalSeconds}
     */
    public int keepAliveIntervalSeconds() {
        return keepAliveIntervalSeconds;
    }

    /**
     * {@code TCP_KEEPCOUNT}, or 0 for the system default.
     *
     * @return the value of {@code keepAliveCount}
     */
    public int keepAliveCount() {
        return keepAliveCount;
    }

    /**
     * {@code SO_RCVBUF} in bytes, or 0 for the system default; set on listeners too (accepted sockets inherit it).
     *
     * @return the value of {@code receiveBufferSize}
     */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /**
     * {@code SO_SNDBUF} in bytes, or 0 for the system default.
     *
     * @return the value of {@code sendBufferSize}
     */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /**
     * {@code SO_REUSEADDR} on listening sockets and on connections bound to a given local address; default {@code
     * true}.
     *
     * @return the value of {@code reuseAddress}
     */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * {@code SO_REUSEPORT} on listening sockets; default {@code false}. Opening fails where the system lacks it.
     *
     * @return the value of {@code reusePort}
     */
    public boolean reusePort() {
        return reusePort;
    }

    /**
     * The listen backlog, at least 1 (the system may cap it, Linux at {@code somaxconn}); default 1,024.
     *
     * @return the value of {@code backlog}
     */
    public int backlog() {
        return backlog;
    }

    /**
     * The queued bytes at or below which a connection turns writable again; default 32 KiB.
     *
     * @return the value of {@code writeBufferLowWaterMark}
     */
    public int writeBufferLowWaterMark() {
        return writeBufferLowWaterMark;
    }

    /**
     * The queued bytes above which a connection turns unwritable; default 64 KiB.
     *
     * @return the value of {@code writeBufferHighWaterMark}
     */
    public int writeBufferHighWaterMark() {
        return writeBufferHighWaterMark;
    }

    /**
     * The hard bound on queued bytes: a write that would pass it returns {@code false}; default
     * 16 MiB, at least the high water mark, at most {@link #MAX_WRITE_QUEUE_LIMIT}.
     *
     * @return the value of {@code writeQueueLimit}
     */
    public int writeQueueLimit() {
        return writeQueueLimit;
    }

    /**
     * The most bytes one read hands to {@link StreamHandler#onData}; default 64 KiB. The io_uring
     * provider receives into the loop's shared provided buffers of at most 16 KiB, so there one
     * read hands over at most that.
     *
     * @return the value of {@code readBufferSize}
     */
    public int readBufferSize() {
        return readBufferSize;
    }

    /**
     * The most reads per readiness event before other connections get their turn; default 16.
     * Readiness provider only: the io_uring provider's multishot receive posts one completion
     * per buffer filled.
     *
     * @return the value of {@code readsPerEvent}
     */
    public int readsPerEvent() {
        return readsPerEvent;
    }

    /**
     * The most connections a listener accepts per readiness event; default 16. Readiness
     * provider only: the io_uring provider's multishot accept posts one completion per
     * connection.
     *
     * @return the value of {@code acceptsPerEvent}
     */
    public int acceptsPerEvent() {
        return acceptsPerEvent;
    }

    /**
     * How long a connect may take before it fails with a {@link java.net.SocketTimeoutException}; {@link Duration#ZERO}
     * for no limit; default 30 s.
     *
     * @return the value of {@code connectTimeout}
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpOptions x && noDelay == x.noDelay && keepAlive == x.keepAlive
                && keepAliveIdleSeconds == x.keepAliveIdleSeconds && keepAliveIntervalSeconds == x.keepAliveIntervalSeconds
                && keepAliveCount == x.keepAliveCount && receiveBufferSize == x.receiveBufferSize
                && sendBufferSize == x.sendBufferSize && reuseAddress == x.reuseAddress && reusePort == x.reusePort
                && backlog == x.backlog && writeBufferLowWaterMark == x.writeBufferLowWaterMark
                && writeBufferHighWaterMark == x.writeBufferHighWaterMark && writeQueueLimit == x.writeQueueLimit
                && readBufferSize == x.readBufferSize && readsPerEvent == x.readsPerEvent
                && acceptsPerEvent == x.acceptsPerEvent && connectTimeout.equals(x.connectTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(noDelay, keepAlive, keepAliveIdleSeconds, keepAliveIntervalSeconds, keepAliveCount,
                receiveBufferSize, sendBufferSize, reuseAddress, reusePort, backlog, writeBufferLowWaterMark,
                writeBufferHighWaterMark, writeQueueLimit, readBufferSize, readsPerEvent, acceptsPerEvent,
                connectTimeout);
    }

    @Override
    public String toString() {
        return "TcpOptions[noDelay=" + noDelay + " keepAlive=" + keepAlive + " keepAliveIdleSeconds="
                + keepAliveIdleSeconds + " keepAliveIntervalSeconds=" + keepAliveIntervalSeconds + " keepAliveCount="
                + keepAliveCount + " receiveBufferSize=" + receiveBufferSize + " sendBufferSize=" + sendBufferSize
                + " reuseAddress=" + reuseAddress + " reusePort=" + reusePort + " backlog=" + backlog
                + " writeBufferWaterMarks=" + writeBufferLowWaterMark + "/" + writeBufferHighWaterMark
                + " writeQueueLimit=" + writeQueueLimit + " readBufferSize=" + readBufferSize + " readsPerEvent="
                + readsPerEvent + " acceptsPerEvent=" + acceptsPerEvent + " connectTimeout=" + connectTimeout + "]";
    }

    /**
     * Builds {@link TcpOptions}. Each setter checks its value and throws
     * {@link IllegalArgumentException} quoting it with the allowed range; {@link #build()}
     * checks the combination. A refused value leaves the builder as it was.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private boolean noDelay = true;
        private boolean keepAlive;
        private int keepAliveIdleSeconds;
        private int keepAliveIntervalSeconds;
        private int keepAliveCount;
        private int receiveBufferSize;
        private int sendBufferSize;
        private boolean reuseAddress = true;
        private boolean reusePort;
        private int backlog = 1024;
        private int writeBufferLowWaterMark = 32 << 10;
        private int writeBufferHighWaterMark = 64 << 10;
        private int writeQueueLimit = 16 << 20;
        private int readBufferSize = 64 << 10;
        private int readsPerEvent = 16;
        private int acceptsPerEvent = 16;
        private Duration connectTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * See {@link TcpOptions#noDelay()}.
         *
         * @param on the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder noDelay(boolean on) {
            noDelay = on;
            return this;
        }

        /**
         * See {@link TcpOptions#keepAlive()}.
         *
         * @param on the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder keepAlive(boolean on) {
            keepAlive = on;
            return this;
        }

        /**
         * See {@link TcpOptions#keepAliveIdleSeconds()}: whole seconds, 1 to 32,767, or zero for the system default.
         *
         * @param idle the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder keepAliveIdle(Duration idle) {
            keepAliveIdleSeconds = keepAliveSeconds("keepAliveIdle", idle);
            return this;
        }

        /**
         * See {@link TcpOptions#keepAliveIntervalSeconds()}: whole seconds, 1 to 32,767, or zero for the system
         * default.
         *
         * @param interval the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder keepAliveInterval(Duration interval) {
            keepAliveIntervalSeconds = keepAliveSeconds("keepAliveInterval", interval);
            return this;
        }

        /**
         * See {@link TcpOptions#keepAliveCount()}: 1 to 127, or 0 for the system default.
         *
         * @param probes the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder keepAliveCount(int probes) {
            if (probes < 0 || probes > MAX_KEEPALIVE_COUNT) {
                throw new IllegalArgumentException("keepAliveCount '" + probes + "' is out of range; use 1 to "
                        + MAX_KEEPALIVE_COUNT + ", or 0 for the system default");
            }
            keepAliveCount = probes;
            return this;
        }

        /**
         * See {@link TcpOptions#receiveBufferSize()}; 0 for the system default.
         *
         * @param bytes the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder receiveBufferSize(int bytes) {
            receiveBufferSize = atLeast("receiveBufferSize", bytes, 0, "0 for the system default, or a size in bytes");
            return this;
        }

        /**
         * See {@link TcpOptions#sendBufferSize()}; 0 for the system default.
         *
         * @param bytes the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder sendBufferSize(int bytes) {
            sendBufferSize = atLeast("sendBufferSize", bytes, 0, "0 for the system default, or a size in bytes");
            return this;
        }

        /**
         * See {@link TcpOptions#reuseAddress()}.
         *
         * @param on the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder reuseAddress(boolean on) {
            reuseAddress = on;
            return this;
        }

        /**
         * See {@link TcpOptions#reusePort()}.
         *
         * @param on the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder reusePort(boolean on) {
            reusePort = on;
            return this;
        }

        /**
         * See {@link TcpOptions#backlog()}; at least 1.
         *
         * @param connections the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder backlog(int connections) {
            backlog = atLeast("backlog", connections, 1, "at least 1 (the system caps large values)");
            return this;
        }

        /**
         * See {@link TcpOptions#writeBufferLowWaterMark()} and
         * {@link TcpOptions#writeBufferHighWaterMark()}: {@code 0 <= low <= high}; {@code high} at
         * most the write queue limit (checked by {@link #build()}).
         *
         * @param low the new value, checked at once
         * @param high the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder writeBufferWaterMarks(int low, int high) {
            if (low < 0 || high < 0) {
                throw new IllegalArgumentException("Write buffer water marks low '" + low + "' and high '" + high
                        + "' must not be negative; use 0 <= low <= high");
            }
            if (low > high) {
                throw new IllegalArgumentException("Write buffer low water mark '" + low
                        + "' is above the high water mark '" + high + "'; use 0 <= low <= high");
            }
            if (high > MAX_WRITE_QUEUE_LIMIT) {
                throw new IllegalArgumentException("Write buffer high water mark '" + high + "' is above the largest"
                        + " write queue limit " + MAX_WRITE_QUEUE_LIMIT + "; use at most " + MAX_WRITE_QUEUE_LIMIT);
            }
            writeBufferLowWaterMark = low;
            writeBufferHighWaterMark = high;
            return this;
        }

        /**
         * See {@link TcpOptions#writeQueueLimit()}; 1 to {@link TcpOptions#MAX_WRITE_QUEUE_LIMIT}.
         *
         * @param bytes the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder writeQueueLimit(int bytes) {
            if (bytes < 1 || bytes > MAX_WRITE_QUEUE_LIMIT) {
                throw new IllegalArgumentException("writeQueueLimit '" + bytes + "' is out of range; use 1 to "
                        + MAX_WRITE_QUEUE_LIMIT + " bytes, and at least the high water mark");
            }
            writeQueueLimit = bytes;
            return this;
        }

        /**
         * See {@link TcpOptions#readBufferSize()}; 1 to {@link TcpOptions#MAX_READ_BUFFER_SIZE}.
         *
         * @param bytes the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder readBufferSize(int bytes) {
            if (bytes < 1 || bytes > MAX_READ_BUFFER_SIZE) {
                throw new IllegalArgumentException("readBufferSize '" + bytes + "' is out of range; use 1 to "
                        + MAX_READ_BUFFER_SIZE + " bytes");
            }
            readBufferSize = bytes;
            return this;
        }

        /**
         * See {@link TcpOptions#readsPerEvent()}; at least 1.
         *
         * @param reads the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder readsPerEvent(int reads) {
            readsPerEvent = atLeast("readsPerEvent", reads, 1, "at least 1");
            return this;
        }

        /**
         * See {@link TcpOptions#acceptsPerEvent()}; at least 1.
         *
         * @param accepts the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder acceptsPerEvent(int accepts) {
            acceptsPerEvent = atLeast("acceptsPerEvent", accepts, 1, "at least 1");
            return this;
        }

        /**
         * See {@link TcpOptions#connectTimeout()}; not negative; {@link Duration#ZERO} for no limit.
         *
         * @param timeout the new value, checked at once
         * @return this builder, for chaining
         */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("connectTimeout '" + timeout + "' is negative; use a positive"
                        + " duration, or Duration.ZERO for no limit");
            }
            connectTimeout = timeout;
            return this;
        }

        /**
         * The options.
         *
         * @return the options
         * @throws IllegalArgumentException if the high water mark is above the write queue limit,
         *     or keep-alive tuning is set while keep-alive is off
         */
        public TcpOptions build() {
            if (writeBufferHighWaterMark > writeQueueLimit) {
                throw new IllegalArgumentException("Write buffer high water mark '" + writeBufferHighWaterMark
                        + "' is above writeQueueLimit '" + writeQueueLimit
                        + "'; lower the water marks or raise writeQueueLimit");
            }
            if (!keepAlive && (keepAliveIdleSeconds != 0 || keepAliveIntervalSeconds != 0 || keepAliveCount != 0)) {
                throw new IllegalArgumentException("Keep-alive tuning (idle '" + keepAliveIdleSeconds + "' s, interval '"
                        + keepAliveIntervalSeconds + "' s, count '" + keepAliveCount
                        + "') is set but keepAlive is off; call keepAlive(true) or leave the tuning at 0");
            }
            return new TcpOptions(this);
        }

        private static int keepAliveSeconds(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isZero()) {
                return 0;
            }
            if (value.isNegative() || value.getNano() != 0 || value.getSeconds() > MAX_KEEPALIVE_SECONDS) {
                throw new IllegalArgumentException(name + " '" + value + "' is out of range; use whole seconds from 1 to "
                        + MAX_KEEPALIVE_SECONDS + ", or Duration.ZERO for the system default");
            }
            return (int) value.getSeconds();
        }

        private static int atLeast(String name, int value, int min, String hint) {
            if (value < min) {
                throw new IllegalArgumentException(name + " '" + value + "' is out of range; use " + hint);
            }
            return value;
        }
    }
}
