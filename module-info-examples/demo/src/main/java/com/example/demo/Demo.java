// SPDX-License-Identifier: Apache-2.0
package com.example.demo;

import com.example.heartbeat.Heartbeat;
import com.example.heartbeat.PeerListener;
import com.example.heartbeat.Presence;
import com.example.simloop.SimLoop;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.loop.spi.EventLoopProvider;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.ProviderInfo;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.DatagramHandler;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Prints what loopwire discovered, how each key resolves on each loop, a heartbeat exchange on
 * every available loop, and the rogue provider refused — in under 60 lines.
 */
public final class Demo {

    private static final List<TransportKey<?>> KEYS = List.of(Udp.BIND, Tcp.OPEN, Heartbeat.OPEN);
    private static final Duration INTERVAL = Duration.ofMillis(50);

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("Event loops (best first):");
        for (EventLoopProvider p : EventLoops.providers()) {
            System.out.printf("  %-10s prio %3d  %-24s %s%n", p.name(), p.priority(),
                    cut(EventLoops.availability(p).toString(), 24), names(p.capabilities()));
        }
        System.out.println("Transport providers:");
        for (ProviderInfo p : Transports.providers()) {
            System.out.printf("  %-28s %-32s %s%n", p.simpleName(), p.keyName().orElse("(failed to load)"),
                    p.module());
        }
        List<EventLoop> loops = new ArrayList<>();
        try {
            for (EventLoopProvider p : EventLoops.providers()) {
                if (EventLoops.availability(p).isAvailable()) {
                    loops.add(EventLoops.open(p.name()));
                }
            }
            System.out.println("Resolution (Transports.explain; nothing is created):");
            for (TransportKey<?> key : KEYS) {
                for (EventLoop loop : loops) {
                    System.out.printf("  %-32s %-12s -> %s%n", key.name(), loop.name(), chosen(loop, key));
                }
            }
            System.out.println(udpEcho());
            System.out.println(tcpEcho());
            System.out.println("Heartbeats over UDP (com.example.heartbeat) on every available loop:");
            for (EventLoop loop : loops) {
                System.out.println("  " + heartbeat(loop));
            }
            System.out.println("The rogue module claims dev.loopwire.transport.udp.bind at priority 1000:");
            // The rogue requires FdReadiness: show it on a loop that offers it, where it would otherwise fit.
            EventLoop any = loops.stream().filter(l -> l.capabilities().contains(FdReadiness.class)).findFirst()
                    .orElse(loops.get(0));
            Transports.explain(any, Udp.BIND).candidates().stream()
                    .filter(c -> c.name().equals("RogueUdpProvider"))
                    .forEach(c -> System.out.println(wrap(c.name() + " " + c.verdict().label() + ": " + c.reason(), 100)));
            System.out.println("  UDP on " + any.name() + " still resolves to "
                    + Transports.explain(any, Udp.BIND).chosen().map(Explanation.Candidate::name).orElse("nothing"));
        } finally {
            loops.forEach(EventLoop::close);
        }
    }

    /** A plain Tcp echo on the default loop: the proposal's create_connection, and why it resolved so. */
    private static String tcpEcho() throws Exception {
        TcpListener server = Tcp.listen(new InetSocketAddress("127.0.0.1", 0), () -> new StreamHandler() {
            @Override
            public void onData(TcpConnection connection, ByteBuffer data) {
                connection.write(data);
            }
        }).toCompletableFuture().get(10, TimeUnit.SECONDS);
        StringBuilder echoed = new StringBuilder();
        CompletableFuture<String> done = new CompletableFuture<>();
        String sent = "hello over TCP";
        TcpConnection client = Tcp.connect(server.localAddress(), (connection, data) -> {
            echoed.append(StandardCharsets.UTF_8.decode(data));
            if (echoed.length() >= sent.length()) {
                done.complete(echoed.toString());
            }
        }).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            client.write(ByteBuffer.wrap(sent.getBytes(StandardCharsets.UTF_8)));
            String reply = done.get(10, TimeUnit.SECONDS);
            EventLoop loop = client.loop();
            Explanation.Candidate chosen = Transports.explain(loop, Tcp.OPEN).chosen().orElseThrow();
            return "Tcp echo on the default loop " + loop.name() + ": sent '" + sent + "'; echoed '" + reply + "'"
                    + "\n  chosen: " + chosen.name() + " (" + chosen.source().label() + ": " + chosen.reason() + ")";
        } finally {
            client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            server.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A plain Udp echo on the default loop, as an application would write it, and why it resolved so. */
    private static String udpEcho() throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        DatagramEndpoint server = Udp.bind(any, new DatagramHandler() {
            @Override
            public void onDatagram(DatagramEndpoint endpoint, ByteBuffer data, InetSocketAddress sender) {
                endpoint.send(data, sender);
            }
        }).toCompletableFuture().get(10, TimeUnit.SECONDS);
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        DatagramEndpoint client = Udp.connect(server.localAddress(), (ep, data, sender) ->
                replies.add(StandardCharsets.UTF_8.decode(data).toString())).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            List<String> got = new ArrayList<>();
            for (String word : List.of("one", "two", "three")) {
                client.send(ByteBuffer.wrap(word.getBytes(StandardCharsets.UTF_8)));
                String reply = replies.poll(10, TimeUnit.SECONDS);
                got.add(reply == null ? "(lost)" : reply);
            }
            EventLoop loop = server.loop();
            Explanation.Candidate chosen = Transports.explain(loop, Udp.BIND).chosen().orElseThrow();
            return "Udp echo on the default loop " + loop.name() + ": sent one, two, three; echoed " + String.join(", ", got)
                    + "\n  chosen: " + chosen.name() + " (" + chosen.source().label() + ": " + chosen.reason() + ")";
        } finally {
            client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            server.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static String chosen(EventLoop loop, TransportKey<?> key) {
        Explanation e = Transports.explain(loop, key);
        return e.chosen().map(c -> c.name() + " (" + c.source().label() + ")")
                .orElseGet(() -> cut("none: " + e.candidates().stream().map(c -> c.name() + " " + c.reason())
                        .collect(Collectors.joining("; ")), 50));
    }

    /** Two endpoints on the loop watch each other; reports when each saw the other up. */
    private static String heartbeat(EventLoop loop) throws Exception {
        String via = Transports.explain(loop, Heartbeat.OPEN).chosen().map(Explanation.Candidate::name).orElse("?");
        CompletableFuture<InetSocketAddress> aSeesB = new CompletableFuture<>();
        CompletableFuture<InetSocketAddress> bSeesA = new CompletableFuture<>();
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 0);
        Presence a = Heartbeat.open(local, INTERVAL, listener(aSeesB), loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Presence b = Heartbeat.open(local, INTERVAL, listener(bSeesA), loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            a.watch(b.localAddress());
            b.watch(a.localAddress());
            if (loop instanceof SimLoop sim) {
                sim.advance(INTERVAL.multipliedBy(2)).get(10, TimeUnit.SECONDS);
            }
            aSeesB.get(10, TimeUnit.SECONDS);
            bSeesA.get(10, TimeUnit.SECONDS);
            String clock = loop instanceof SimLoop sim ? " (virtual t=" + sim.now().toMillis() + "ms)" : "";
            return String.format("%-12s %-27s %s <-> %s up%s", loop.name(), via, port(a), port(b), clock);
        } finally {
            a.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            b.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static PeerListener listener(CompletableFuture<InetSocketAddress> up) {
        return new PeerListener() {
            @Override
            public void up(InetSocketAddress peer) {
                up.complete(peer);
            }

            @Override
            public void down(InetSocketAddress peer) {
            }
        };
    }

    private static String port(Presence p) {
        return ":" + p.localAddress().getPort();
    }

    private static String names(Collection<Class<? extends Capability>> types) {
        return types.stream().map(Class::getSimpleName).sorted().collect(Collectors.joining(", "));
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 3) + "...";
    }

    /** Indents by two and wraps at spaces to {@code width} columns, continuing lines indented by four. */
    private static String wrap(String s, int width) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder("  ");
        boolean first = true;
        for (String word : s.split(" ")) {
            if (!first && line.length() + 1 + word.length() > width) {
                out.append(line).append('\n');
                line = new StringBuilder("    ");
            } else if (!first) {
                line.append(' ');
            }
            line.append(word);
            first = false;
        }
        return out.append(line).toString();
    }
}
