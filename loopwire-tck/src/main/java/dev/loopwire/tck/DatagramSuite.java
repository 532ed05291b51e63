// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;

/**
 * What the datagram suites share: the factory a loop author implements, and the endpoints and
 * loops a test opens, closed after it. Extend {@link DatagramContract}, not this class.
 */
abstract class DatagramSuite {

    static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
    static final InetSocketAddress V6 = new InetSocketAddress("::1", 0);

    private final List<EventLoop> loops = new ArrayList<>();

    /** What the loops under test passed to their exception handlers. */
    protected final LinkedBlockingQueue<Throwable> handled = new LinkedBlockingQueue<>();

    /**
     * Opens a new, running loop on which {@code Udp.bind} reaches the UDP implementation under
     * test, with {@code exceptionHandler} as the loop's exception handler.
     *
     * <p>To test a transport provider rather than a loop, open a loop it fits and make the
     * registry choose it here (with {@code Transports.prefer} or {@code Transports.deny}), and
     * undo that in an {@code @AfterEach} of your own.
     *
     * @param exceptionHandler receives every {@link Throwable} the loop's tasks, timers and
     *     handlers throw
     * @return the running loop under test; never {@code null}; the suite closes it after the test
     */
    protected abstract EventLoop openLoop(Consumer<Throwable> exceptionHandler);

    /**
     * Whether {@link #openLoop} installs the given exception handler; see {@link EventLoopContract}.
     *
     * @return {@code true} if the handler passed to {@link #openLoop} receives what the loop's
     *     callbacks throw, {@code false} if the loop only logs it
     * @implSpec The default is {@code true}.
     */
    protected boolean hasExceptionHandler() {
        return true;
    }

    /** Opens a loop that the suite closes after the test. */
    final EventLoop loop() {
        EventLoop loop = openLoop(handled::add);
        assertThat("openLoop returned null", loop, is(notNullValue()));
        loops.add(loop);
        return loop;
    }

    @AfterEach
    final void closeLoops() {
        loops.forEach(EventLoop::close);
    }

    static DatagramEndpoint bind(InetSocketAddress local, DatagramHandler handler, EventLoop loop) throws Exception {
        return Waits.await(Udp.bind(local, handler, loop));
    }

    static DatagramEndpoint bind(InetSocketAddress local, DatagramHandler handler, UdpOptions options, EventLoop loop)
            throws Exception {
        return Waits.await(Udp.bind(local, handler, options, loop));
    }

    /** Skips the test where {@code ::1} cannot be bound (IPv6 disabled on this machine). */
    static void assumeIpv6() {
        boolean ipv6;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(V6);
            ipv6 = true;
        } catch (Exception e) {
            ipv6 = false;
        }
        assumeTrue(ipv6, "::1 cannot be bound on this machine (IPv6 disabled)");
    }

    /** {@code size} bytes that differ with {@code seed} and position, so truncation shows. */
    static ByteBuffer payload(int size, int seed) {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) {
            b.put(i, (byte) (i * 31 + seed));
        }
        return b;
    }

    /** Renders an address the way loopwire's messages quote it: {@code 127.0.0.1:4000}, {@code [::1]:4000}. */
    static String quoted(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return "'" + (a.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort() + "'";
    }

    /** Polls {@code condition} every few milliseconds for at most ten seconds; fails if it never holds. */
    static void awaitCondition(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(Waits.SECONDS_BOUND);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + Waits.SECONDS_BOUND + " s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
