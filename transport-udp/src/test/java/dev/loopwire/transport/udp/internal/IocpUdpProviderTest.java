// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.loop.completion.sim.SimulatedIocp;
import dev.loopwire.loop.completion.sim.SimulatedWinApi;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What is particular to UDP on IOCP, on a completion loop over the simulated port (the shared
 * behaviour is {@code IocpDatagramContractTest} in the conformance kit).
 */
class IocpUdpProviderTest {

    private static final InetSocketAddress ANY_V4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final SimulatedWinApi api = new SimulatedWinApi();
    private final List<Throwable> loopErrors = new CopyOnWriteArrayList<>();
    private final CompletionLoop loop = SimulatedIocp.open(CompletionLoop.builder().exceptionHandler(loopErrors::add), api);

    @AfterEach
    void closeLoop() throws InterruptedException {
        loop.close();
        assertThat(loop.awaitTermination(10, SECONDS), is(true));
        assertThat(loopErrors, is(empty()));
    }

    @Test
    void providerDescribesItselfAndIsResolvedOnAnIocpLoop() {
        IocpUdpProvider provider = new IocpUdpProvider();
        assertThat(provider.key(), is(Udp.BIND));
        assertThat(provider.requires(), is(Set.of(IocpPort.class)));
        assertThat(Transports.resolve(loop, Udp.BIND), hasToString(startsWith("IocpUdpBinder[")));
    }

    @Test
    void anUnconnectedEndpointIsNotFailedByAPortUnreachableAndKeepsReceiving() throws Exception {
        Handler a = new Handler();
        Handler b = new Handler();
        DatagramEndpoint endpointA = Udp.bind(ANY_V4, a, UdpOptions.defaults(), loop).toCompletableFuture().get(10, SECONDS);
        DatagramEndpoint endpointB = Udp.bind(ANY_V4, b, UdpOptions.defaults(), loop).toCompletableFuture().get(10, SECONDS);
        // Nothing is bound at port 9 in the simulator: Winsock would fail a's next receive
        // with WSAECONNRESET, had the endpoint not switched SIO_UDP_CONNRESET off.
        endpointA.send(text("to nobody"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 9));
        endpointB.send(text("hello"), endpointA.localAddress());
        assertThat(a.datagrams.poll(10, SECONDS), is("hello"));
        assertThat(a.errors, is(empty()));
        endpointA.close().toCompletableFuture().get(10, SECONDS);
        endpointB.close().toCompletableFuture().get(10, SECONDS);
    }

    @Test
    void closeReleasesTheSocketAndEveryBlockAndCallsOnCloseOnce() throws Exception {
        IocpPort port = loop.capability(IocpPort.class).orElseThrow();
        // The loop keeps the OVERLAPPED slots it made for the busiest moment: the baseline is
        // taken after a first endpoint did the same work.
        sendHundredAndClose(new Handler());
        long before = onLoop(port::allocatedBytes);
        Handler a = new Handler();
        sendHundredAndClose(a);
        assertThat(a.closes.get(10, SECONDS), is(1));
        assertThat(onLoop(() -> api.sockets.size()), is(0));
        assertThat(onLoop(port::allocatedBytes), is(before));
        assertThat(a.errors, is(empty()));
    }

    private void sendHundredAndClose(Handler handler) throws Exception {
        DatagramEndpoint endpoint = Udp.bind(ANY_V4, handler, UdpOptions.defaults(), loop).toCompletableFuture()
                .get(10, SECONDS);
        for (int i = 0; i < 100; i++) {
            endpoint.send(text("datagram " + i), endpoint.localAddress());
        }
        endpoint.close().toCompletableFuture().get(10, SECONDS);
    }

    @Test
    void reusePortIsRefusedWithTheRemedyAndTheSocketIsClosed() throws Exception {
        UdpOptions options = UdpOptions.builder().reusePort(true).build();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> Udp.bind(ANY_V4, new Handler(), options, loop).toCompletableFuture().get(10, SECONDS));
        assertThat(e.getCause(), is(instanceOf(UnsupportedOperationException.class)));
        assertThat(e.getCause().getMessage(), containsString("set UdpOptions.reusePort(false)"));
        assertThat(onLoop(() -> api.sockets.size()), is(0));
    }

    private <T> T onLoop(Supplier<T> query) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> result.complete(query.get()));
        return result.get(10, SECONDS);
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Records datagrams, errors and how many times onClose ran. */
    private static final class Handler implements DatagramHandler {
        final LinkedBlockingQueue<String> datagrams = new LinkedBlockingQueue<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closes = new CompletableFuture<>();
        private int closeCount;

        @Override
        public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
            datagrams.add(StandardCharsets.UTF_8.decode(data).toString());
        }

        @Override
        public void onError(DatagramEndpoint endpoint, Throwable error) {
            errors.add(error);
        }

        @Override
        public void onClose(DatagramEndpoint endpoint) {
            closes.complete(++closeCount);
        }
    }
}
