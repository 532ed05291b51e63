// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import dev.loopwire.loop.UringSubmission;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.EndpointClosedException;
import dev.loopwire.transport.udp.RequireIoUring;
import dev.loopwire.transport.udp.UdpOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A loop whose close timeout passes while an endpoint still cannot send what it queued (its
 * sends never complete): the loop cancels the endpoint's registration itself, and the endpoint
 * still reports what was left and calls {@code onClose} once. Before, {@code onClose} never ran
 * on this path. Slow by nature: the loop's close timeout is 10 s.
 */
class ForcedCloseTest {

    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The loop's port, wrapped so that SENDMSGs are taken but never reach the kernel: they never complete. */
    private static UringPort sendsNeverComplete(UringPort real) {
        return (UringPort) Proxy.newProxyInstance(ForcedCloseTest.class.getClassLoader(),
                new Class<?>[] {UringPort.class}, (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    if (!(result instanceof UringRegistration registration)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(ForcedCloseTest.class.getClassLoader(),
                            new Class<?>[] {UringRegistration.class}, (p, m, a) -> {
                                if (m.getName().equals("prepare") && (Integer) a[0] == UringPort.OP_SENDMSG) {
                                    return Proxy.newProxyInstance(ForcedCloseTest.class.getClassLoader(),
                                            new Class<?>[] {UringSubmission.class},
                                            (q, sm, sa) -> sm.getName().equals("submit") ? (Object) 0L : q);
                                }
                                return invoke(m, registration, a);
                            });
                });
    }

    @Test
    void whenTheLoopGivesUpOnAnEndpointItStillReportsTheQueueAndCallsOnCloseOnce() throws Exception {
        EventLoop loop = RequireIoUring.open();
        AtomicInteger closes = new AtomicInteger();
        AtomicInteger unsent = new AtomicInteger();
        try {
            UringUdpProvider.Binder binder = new UringUdpProvider.Binder(loop,
                    sendsNeverComplete(loop.capability(UringPort.class).orElseThrow()));
            DatagramEndpoint endpoint = binder.open(V4, null, new DatagramHandler() {
                @Override
                public void onDatagram(DatagramEndpoint e, ByteBuffer data, InetSocketAddress from) {
                }

                @Override
                public void onError(DatagramEndpoint e, Throwable error) {
                    if (error instanceof EndpointClosedException) {
                        unsent.addAndGet(Integer.parseInt(error.getMessage().replaceAll("^(\\d+) .*", "$1")));
                    }
                }

                @Override
                public void onClose(DatagramEndpoint e) {
                    closes.incrementAndGet();
                }
            }, UdpOptions.defaults()).toCompletableFuture().get(10, SECONDS);
            CompletableFuture<Integer> queued = new CompletableFuture<>();
            loop.execute(() -> {
                ByteBuffer out = ByteBuffer.allocate(8);
                for (int i = 0; i < 300; i++) { // 256 take every send slot for good, 44 wait in the queue
                    endpoint.send(out.clear(), new InetSocketAddress("127.0.0.1", 9));
                }
                queued.complete(Integer.parseInt(endpoint.toString().replaceAll(".*queued=(\\d+).*", "$1")));
            });
            assertThat(queued.get(10, SECONDS), is(44));
        } finally {
            loop.close(); // the endpoint's hook cannot flush: the loop waits its 10 s, then cancels
        }
        assertThat(closes.get(), is(1));
        assertThat(unsent.get(), is(44));
    }
}
