// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.spi.EventLoopProvider;

/**
 * Run by {@link MissingJnaTest} in a child JVM whose class path has loop-api, loop-selector and
 * loop-iocp-jna but no JNA: prints what a user would see, one fact per line.
 */
public final class NoJnaMain {

    private NoJnaMain() {
    }

    public static void main(String[] args) {
        for (EventLoopProvider provider : EventLoops.providers()) {
            System.out.println("provider " + provider.name() + ": " + EventLoops.availability(provider));
        }
        for (int i = 0; i < 2; i++) {
            try (EventLoop loop = EventLoops.open()) {
                System.out.println("open(): " + loop.name());
            }
        }
        for (String name : new String[] {"completion", "io_uring"}) {
            try (EventLoop loop = EventLoops.open(name)) {
                System.out.println("open(" + name + "): opened " + loop.name());
            } catch (RuntimeException e) {
                System.out.println("open(" + name + "): " + e);
            }
        }
        try {
            System.out.println("IoUring: " + IoUring.availability());
            System.out.println("Iocp: " + Iocp.availability());
        } catch (Throwable e) {
            System.out.println("threw: " + e);
        }
    }
}
