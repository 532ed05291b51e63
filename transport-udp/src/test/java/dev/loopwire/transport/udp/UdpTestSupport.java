// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * Addresses, the loop list and the bounded wait the tests of this module share. The endpoint
 * contract itself runs from the conformance kit ({@code loopwire-tck}) on every loop.
 */
final class UdpTestSupport {

    static final String LOOPS = "dev.loopwire.transport.udp.LoopFactories#all";
    static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);

    private UdpTestSupport() {
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, SECONDS);
    }
}
