// SPDX-License-Identifier: Apache-2.0
package com.example.itest;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.Plugins;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.ProviderInfo;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The program the integration tests run in child JVMs, on the module path or the class path.
 * It names the example classes only as strings, so it also runs when a jar is absent or sits in
 * a plugin folder. Each command prints one fact a line.
 *
 * <pre>
 * providers                      provider &lt;name&gt; key=&lt;key&gt; module=&lt;module&gt; &lt;availability&gt;
 * plugins                        plugin-module &lt;name&gt; | plugin-failure &lt;jar&gt;: &lt;why&gt;
 * explain &lt;class&gt; &lt;field&gt; &lt;loop&gt;  the explain table, then chosen=&lt;name&gt; source=&lt;source&gt;
 * udp &lt;loop&gt;                     udp ok via &lt;name&gt; | udp failed: &lt;message&gt;
 * </pre>
 */
public final class Probe {

    private Probe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "providers" -> {
                for (ProviderInfo p : Transports.providers()) {
                    System.out.println("provider " + p.simpleName() + " key=" + p.keyName().orElse("?") + " module="
                            + p.module() + " " + p.availability());
                }
            }
            case "plugins" -> {
                for (Plugins.Report r : Plugins.reports()) {
                    r.modules().forEach(m -> System.out.println("plugin-module " + m));
                    r.failures().forEach((jar, why) -> System.out.println("plugin-failure " + jar.getFileName() + ": " + why));
                }
            }
            case "explain" -> {
                Class<?> holder = find(args[1]);
                if (holder == null) {
                    System.out.println("no class " + args[1]);
                    System.exit(2);
                }
                TransportKey<?> key = (TransportKey<?>) holder.getField(args[2]).get(null);
                try (EventLoop loop = EventLoops.open(args[3])) {
                    Explanation e = Transports.explain(loop, key);
                    System.out.print(e);
                    System.out.println(e.chosen().map(c -> "chosen=" + c.name() + " source=" + c.source().label())
                            .orElse("chosen=none"));
                }
            }
            case "udp" -> udp(args[1]);
            default -> throw new IllegalArgumentException("Unknown command '" + args[0] + "'");
        }
    }

    private static void udp(String loopName) throws Exception {
        try (EventLoop loop = EventLoops.open(loopName)) {
            CompletableFuture<String> got = new CompletableFuture<>();
            DatagramEndpoint endpoint;
            try {
                endpoint = Udp.bind(new InetSocketAddress("127.0.0.1", 0),
                        (ep, data, sender) -> got.complete(java.nio.charset.StandardCharsets.US_ASCII.decode(data).toString()),
                        loop).toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                System.out.println("udp failed: " + e.getCause().getMessage());
                return;
            }
            endpoint.send(ByteBuffer.wrap("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                    endpoint.localAddress());
            String echoed = got.get(10, TimeUnit.SECONDS);
            System.out.println("udp ok via " + Transports.explain(loop, Udp.BIND).chosen().orElseThrow().name()
                    + ": " + echoed);
            endpoint.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The class from the application (module or class path), else from a plugin layer. */
    private static Class<?> find(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            for (ModuleLayer layer : Plugins.layers()) {
                for (Module m : layer.modules()) {
                    Class<?> c = Class.forName(m, name);
                    if (c != null) {
                        return c;
                    }
                }
            }
            return null;
        }
    }
}
