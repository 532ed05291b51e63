package dev.loopwire.reliability;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Small pieces the suites share: binding on loopback, awaiting stages, an echo server. */
final class Endpoints {

    static final InetSocketAddress ANY_V4 = new InetSocketAddress("127.0.0.1", 0);

    private Endpoints() {
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    static DatagramEndpoint bind(EventLoop loop, DatagramHandler handler) throws Exception {
        return await(Udp.bind(ANY_V4, handler, UdpOptions.builder().receiveBufferSize(4 << 20)
                .sendBufferSize(4 << 20).build(), loop));
    }

    /** Echoes every datagram; counts what it could not queue (never expected) and errors. */
    static final class Echo implements DatagramHandler {
        final AtomicLong refused = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        private DatagramEndpoint self;

        @Override
        public void onOpen(DatagramEndpoint endpoint) {
            self = endpoint;
        }

        @Override
        public void onDatagram(ByteBuffer data, InetSocketAddress sender) {
            if (!self.send(data, sender)) {
                refused.incrementAndGet();
            }
        }

        @Override
        public void onError(Throwable error) {
            errors.incrementAndGet();
        }
    }
}
