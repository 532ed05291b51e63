// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import dev.loopwire.loop.UringSubmission;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.RequireIoUring;
import dev.loopwire.transport.udp.UdpOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A datagram whose send throws inside the endpoint's flush is dropped and reported to
 * {@code onError}; the datagrams behind it still go, and close completes (issue #10, item 7:
 * before, the exception left the flush and the queue was wedged for good). The port is the
 * completion loop's {@code UringPort}, wrapped so that the second {@code SENDMSG} (the 13-byte
 * datagram) is refused when submitted.
 */
class FlushFailureTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
    private static final IllegalArgumentException REFUSED =
            new IllegalArgumentException("expected by the test: the port refuses the second send");

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The loop's port, wrapped so that the second SENDMSG of each registration is refused. */
    private static UringPort refusingSecondSend(UringPort real) {
        return (UringPort) Proxy.newProxyInstance(FlushFailureTest.class.getClassLoader(),
                new Class<?>[] {UringPort.class}, (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    if (!(result instanceof UringRegistration registration)) {
                        return result;
                    }
                    AtomicInteger sends = new AtomicInteger();
                    return Proxy.newProxyInstance(FlushFailureTest.class.getClassLoader(),
                            new Class<?>[] {UringRegistration.class}, (p, m, a) -> {
                                Object r = invoke(m, registration, a);
                                if (m.getName().equals("prepare") && (Integer) a[0] == UringPort.OP_SENDMSG
                                        && sends.incrementAndGet() == 2) {
                                    UringSubmission submission = (UringSubmission) r;
                                    return Proxy.newProxyInstance(FlushFailureTest.class.getClassLoader(),
                                            new Class<?>[] {UringSubmission.class}, (q, sm, sa) -> {
                                                if (sm.getName().equals("submit")) {
                                                    throw REFUSED;
                                                }
                                                invoke(sm, submission, sa);
                                                return q;
                                            });
                                }
                                return r;
                            });
                });
    }

    @Test
    void aSendThatThrowsInAFlushIsDroppedAndReportedAndTheQueueGoesOn() throws Exception {
        try (EventLoop loop = RequireIoUring.open()) {
            UringPort port = refusingSecondSend(loop.capability(UringPort.class).orElseThrow());
            UringUdpProvider.Binder binder = new UringUdpProvider.Binder(loop, port);
            LinkedBlockingQueue<Integer> sizes = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
            DatagramEndpoint receiver = binder.open(V4, null, (e, data, s) -> sizes.add(data.remaining()),
                    UdpOptions.defaults()).toCompletableFuture().get(10, SECONDS);
            DatagramEndpoint sender = binder.open(V4, null, new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress from) {
                }

                @Override
                public void onError(DatagramEndpoint endpoint, Throwable error) {
                    errors.add(error);
                }
            }, UdpOptions.defaults()).toCompletableFuture().get(10, SECONDS);
            // From the test thread, so all three queue and go out in the loop's flush.
            for (int size : new int[] {5, 13, 7}) {
                assertThat(sender.send(ByteBuffer.allocate(size), receiver.localAddress()), is(true));
            }
            assertThat(sizes.poll(10, SECONDS), is(5));
            assertThat(sizes.poll(10, SECONDS), is(7));
            assertThat(errors.poll(10, SECONDS), sameInstance(REFUSED));
            assertThat(sender.send(ByteBuffer.allocate(9), receiver.localAddress()), is(true));
            assertThat(sizes.poll(10, SECONDS), is(9));
            sender.close().toCompletableFuture().get(10, SECONDS);
            receiver.close().toCompletableFuture().get(10, SECONDS);
            assertThat(sizes.poll(50, MILLISECONDS) == null && errors.isEmpty(), is(true));
        }
    }
}
