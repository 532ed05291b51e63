// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.await;
import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.AttackSupport.onLoop;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Attacks on {@code FdReadiness} through the selector loop's public capability. */
class AttackReadinessTest {

    @Test
    void misuseIsRefusedAHandlerThrowingErrorsIsSurvivedAndTheLoopClosesWhatItOwns() throws Exception {
        AttackSupport.Handled handled = new AttackSupport.Handled();
        EventLoop loop = AttackSupport.openWithHandler("selector", handled);
        FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
        List<DatagramChannel> owned = new ArrayList<>();
        try {
            DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            DatagramChannel blocking = DatagramChannel.open();
            owned.add(ch);
            assertThrows(IllegalStateException.class, () -> fd.register(ch, SelectionKey.OP_READ, (r, ops) -> { }));
            ch.configureBlocking(false);
            AtomicInteger calls = new AtomicInteger();
            OutOfMemoryError oom = new OutOfMemoryError("user OOM in ready()");
            FdReadiness.Registration reg = onLoop(loop, () -> fd.register(ch, SelectionKey.OP_READ, (r, ops) -> {
                calls.incrementAndGet();
                ByteBuffer b = ByteBuffer.allocate(100);
                try {
                    ((DatagramChannel) r.channel()).receive(b);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                AttackLoopTest.sneaky(oom);
            }));
            List<String> problems = new ArrayList<>();
            onLoop(loop, () -> {
                AttackUringTest.expect(problems, "register twice", RuntimeException.class, null,
                        () -> fd.register(ch, SelectionKey.OP_READ, (r, ops) -> { }));
                AttackUringTest.expect(problems, "blocking channel", IOException.class, null,
                        () -> fd.register(blocking, SelectionKey.OP_READ, (r, ops) -> { }));
                AttackUringTest.expect(problems, "null handler", NullPointerException.class, null,
                        () -> fd.register(DatagramChannel.open().configureBlocking(false), SelectionKey.OP_READ, null));
                AttackUringTest.expect(problems, "bad interest bits", IllegalArgumentException.class, null,
                        () -> { reg.interestOps(1 << 30); return null; });
                return null;
            });
            assertThat(String.join("\n", problems), problems.isEmpty(), is(true));
            try (DatagramChannel tx = DatagramChannel.open()) {
                for (int i = 0; i < 3; i++) {
                    tx.send(ByteBuffer.wrap(new byte[] {1}), ch.getLocalAddress());
                }
            }
            assertThat("the handler is called again after throwing", await(() -> calls.get() == 3), is(true));
            assertThat(handled.saw(oom), is(true));
            assertThat(reg.isValid(), is(true));
        } finally {
            closeBounded(loop);
        }
        assertThat("the loop closed the channel it owned", owned.get(0).isOpen(), is(false));
    }
}
