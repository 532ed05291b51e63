// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackCancelStageTest.drain;
import static dev.loopwire.reliability.AttackCancelStageTest.udp;
import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.AttackSupport.onLoop;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the selector loop's turn, which collects the ready keys of one select into a reused
 * array and then runs their handlers: more ready keys than ever before (the array grows), handlers
 * throwing {@code Error}s mid-batch, handlers cancelling, closing and registering channels of the
 * same batch, a handler closing the loop.
 */
class AttackReadyBatchTest {

    private static final int N = 300; // past the array's first size (64), and its first doubling

    /** Blocks the loop thread, makes every channel readable, then lets the loop select them all at once. */
    private static void readyAllInOneTurn(EventLoop loop, List<DatagramChannel> channels) throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS), is(true));
        try (DatagramChannel tx = DatagramChannel.open()) {
            for (DatagramChannel ch : channels) {
                // Loopback delivery is done when send returns: every channel is readable now.
                tx.send(ByteBuffer.wrap(new byte[] {7}), ch.getLocalAddress());
            }
        }
        release.countDown();
    }

    private static List<DatagramChannel> open(int n) throws Exception {
        List<DatagramChannel> channels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            channels.add(udp());
        }
        return channels;
    }

    @Test
    void handlersThrowingErrorsMidBatchDoNotStopTheOtherReadyKeysOfTheTurn() throws Exception {
        AttackSupport.Handled handled = new AttackSupport.Handled();
        EventLoop loop = AttackSupport.openWithHandler("selector", handled);
        List<DatagramChannel> channels = open(N);
        try {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            StackOverflowError soe = AttackSupport.realStackOverflow();
            OutOfMemoryError oom = new OutOfMemoryError("user OOM mid-batch");
            Set<Integer> called = ConcurrentHashMap.newKeySet();
            onLoop(loop, () -> {
                for (int i = 0; i < N; i++) {
                    int id = i;
                    fd.register(channels.get(i), SelectionKey.OP_READ, (r, ops) -> {
                        drain((DatagramChannel) r.channel());
                        called.add(id);
                        if (id % 3 == 0) {
                            throw soe;
                        }
                        if (id % 3 == 1) {
                            AttackLoopTest.sneaky(oom);
                        }
                    });
                }
                return null;
            });
            readyAllInOneTurn(loop, channels);
            assertThat(AttackSupport.await(() -> called.size() == N), is(true));
            assertThat(AttackSupport.await(() -> handled.seen.size() == N / 3 * 2), is(true));
            assertThat(handled.saw(soe) && handled.saw(oom), is(true));
            // Again, with the grown array: every handler runs once more.
            called.clear();
            readyAllInOneTurn(loop, channels);
            assertThat(AttackSupport.await(() -> called.size() == N), is(true));
            assertThat(loop.isClosed(), is(false));
        } finally {
            closeBounded(loop);
        }
        assertThat("the loop closed every channel it owned", channels.stream().noneMatch(DatagramChannel::isOpen), is(true));
    }

    @Test
    void aHandlerThatCancelsClosesAndRegistersChannelsOfItsOwnBatchSilencesTheCancelledOnes() throws Exception {
        AttackSupport.Handled handled = new AttackSupport.Handled();
        EventLoop loop = AttackSupport.openWithHandler("selector", handled);
        List<DatagramChannel> channels = open(N);
        List<DatagramChannel> fresh = open(N);
        try {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            List<FdReadiness.Registration> regs = new ArrayList<>();
            AtomicInteger calledAfterCancel = new AtomicInteger();
            AtomicInteger freshCalls = new AtomicInteger();
            boolean[] killed = new boolean[N];
            FdReadiness.ReadyHandler freshHandler = (r, ops) -> {
                drain((DatagramChannel) r.channel());
                freshCalls.incrementAndGet();
            };
            onLoop(loop, () -> {
                for (int i = 0; i < N; i++) {
                    int id = i;
                    regs.add(fd.register(channels.get(i), SelectionKey.OP_READ, (r, ops) -> {
                        if (killed[id]) {
                            calledAfterCancel.incrementAndGet();
                        }
                        drain((DatagramChannel) r.channel());
                        if (id != 0 && id != N / 2) {
                            return;
                        }
                        // Whoever of the two runs first in the batch silences every other channel
                        // of it (odd ones cancelled, even ones closed outright) and registers new ones.
                        try {
                            for (int j = 0; j < N; j++) {
                                if (j != id && !killed[j]) {
                                    killed[j] = true;
                                    if (j % 2 == 1) {
                                        regs.get(j).cancel();
                                    } else {
                                        channels.get(j).close();
                                    }
                                }
                            }
                            for (DatagramChannel f : fresh) {
                                fd.register(f, SelectionKey.OP_READ, freshHandler);
                            }
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
                }
                return null;
            });
            readyAllInOneTurn(loop, channels);
            assertThat(AttackSupport.await(() -> killed[1]), is(true));
            assertThat(onLoop(loop, () -> "next turn"), is("next turn"));
            assertThat("no cancelled or closed channel's handler ran after it was silenced",
                    calledAfterCancel.get(), is(0));
            readyAllInOneTurn(loop, fresh);
            assertThat(AttackSupport.await(() -> freshCalls.get() == N), is(true));
            assertThat(handled.seen.toString(), handled.seen.isEmpty(), is(true));
        } finally {
            closeBounded(loop);
            for (DatagramChannel ch : channels) {
                ch.close();
            }
        }
    }

    @Test
    void aHandlerThatClosesTheLoopMidBatchEndsItCleanly() throws Exception {
        AttackSupport.Handled handled = new AttackSupport.Handled();
        EventLoop loop = AttackSupport.openWithHandler("selector", handled);
        List<DatagramChannel> channels = open(N);
        try {
            FdReadiness fd = loop.capability(FdReadiness.class).orElseThrow();
            AtomicInteger calls = new AtomicInteger();
            onLoop(loop, () -> {
                for (DatagramChannel ch : channels) {
                    fd.register(ch, SelectionKey.OP_READ, (r, ops) -> {
                        drain((DatagramChannel) r.channel());
                        if (calls.incrementAndGet() == 5) {
                            loop.close(); // from the loop thread: returns at once
                        }
                    });
                }
                return null;
            });
            readyAllInOneTurn(loop, channels);
            assertThat(AttackSupport.await(loop::isClosed), is(true));
        } finally {
            closeBounded(loop);
        }
        assertThat(handled.seen.toString(), handled.seen.isEmpty(), is(true));
        assertThat("the loop closed every channel it owned", channels.stream().noneMatch(DatagramChannel::isOpen), is(true));
    }
}
