// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.udp.Udp;
import dev.loopwire.transport.udp.UdpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The loopwire echo server: {@code Udp.bind} on a loop opened by name, sending each datagram
 * straight back from the handler. On the loop thread with an empty send queue, {@code send}
 * writes to the socket without copying, so this is the path an application would take.
 *
 * <p>A datagram that finds the send queue full is counted, not retried: the count is printed
 * on close, and is zero in every run of the harness so far.
 */
public class LoopwireEchoServer implements EchoServer {

    private final EchoOptions options;
    private final String loopName;
    private final AtomicLong refused = new AtomicLong();
    private EventLoop loop;
    private DatagramEndpoint endpoint;

    /** Creates a server for the loop kind {@code loopName} (see {@code EventLoops.open(String)}). */
    public LoopwireEchoServer(EchoOptions options, String loopName) {
        this.options = options;
        this.loopName = loopName;
    }

    @Override
    public InetSocketAddress start() throws IOException {
        loop = EventLoops.open(loopName);
        UdpOptions.Builder udpOptions = UdpOptions.builder()
                .receiveBufferSize(options.socketBuffer())
                .sendBufferSize(options.socketBuffer());
        // A knob for experiments: datagrams read per readiness event (selector loop only).
        Integer reads = Integer.getInteger("loopwire.bench.readsPerEvent");
        if (reads != null) {
            udpOptions.readsPerEvent(reads);
        }
        UdpOptions udp = udpOptions.build();
        DatagramHandler echo = new DatagramHandler() {
            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                if (!endpoint.send(data, sender)) {
                    refused.incrementAndGet();
                }
            }
        };
        try {
            endpoint = Udp.bind(options.bind(), echo, udp, loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            loop.close();
            throw new IOException("Cannot bind the loopwire echo server on " + options.bind() + ": " + e, e);
        }
        System.err.println(Transports.explain(loop, Udp.BIND).chosen().map(c -> "provider " + c.name()).orElse(""));
        return endpoint.localAddress();
    }

    /** The loop serving the endpoint, once {@link #start()} returned; for measurements on its thread. */
    public EventLoop loop() {
        return loop;
    }

    @Override
    public void close() {
        if (endpoint != null) {
            try {
                endpoint.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                System.err.println("closing the endpoint: " + e);
            }
        }
        if (loop != null) {
            loop.close();
        }
        if (refused.get() > 0) {
            System.err.println("loopwire echo: " + refused.get() + " datagrams found the send queue full");
        }
    }
}
