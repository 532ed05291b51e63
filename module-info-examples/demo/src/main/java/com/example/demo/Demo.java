package com.example.demo;

import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.spi.EventLoopProvider;
import dev.loopwire.transport.ProviderInfo;
import dev.loopwire.transport.Transports;

/** Prints what loopwire discovered on the module path. */
public final class Demo {

    private Demo() {
    }

    public static void main(String[] args) {
        System.out.println("Event loops found (best first):");
        for (EventLoopProvider p : EventLoops.providers()) {
            System.out.printf("  %-12s priority %-3d %s%n", p.name(), p.priority(), EventLoops.availability(p));
        }
        System.out.println("Transport providers found:");
        for (ProviderInfo p : Transports.providers()) {
            System.out.printf("  %-28s %-36s %s%n", p.simpleName(), p.keyName().orElse("?"), p.availability());
        }
    }
}
