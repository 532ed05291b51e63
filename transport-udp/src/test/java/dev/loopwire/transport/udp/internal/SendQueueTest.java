// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The send queue's accounting at absurd bounds (issue #10, item 11): with
 * {@code sendQueueBytes(Integer.MAX_VALUE)} the byte count must not wrap past 2^31. Only the
 * reservations are made (no payload is allocated), so 2.6 GB worth of datagrams need no heap.
 */
class SendQueueTest {

    private static final int MAX = 65_507;

    @Test
    void theByteBoundHoldsPastTwoToTheThirtyOneBytes() {
        SendQueue queue = new SendQueue(Integer.MAX_VALUE, Integer.MAX_VALUE, MAX);
        long accepted = 0;
        boolean refused = false;
        for (int i = 0; i < 40_000; i++) {
            if (queue.reserve(MAX) == SendQueue.Reservation.REFUSED) {
                refused = true;
                break;
            }
            accepted++;
        }
        assertThat("refused once the bound is reached", refused, is(true));
        assertThat(accepted, is((long) Integer.MAX_VALUE / MAX));
        assertThat(accepted * MAX <= Integer.MAX_VALUE, is(true));
        assertThat(queue.isWritable(), is(false));
        assertThat(queue.size(), is((int) accepted));
        // Giving the room back turns it writable again, at half the bound.
        for (long i = 0; i < accepted; i++) {
            queue.unreserve(MAX);
        }
        assertThat(queue.isWritable(), is(true));
        assertThat(queue.isEmpty(), is(true));
    }

    /**
     * The loop thread's calls never wait for a lock: with the queue's monitor held by another
     * thread (a sender stalled inside a synchronized section, as the queue once had), every
     * call the loop makes per datagram still returns.
     */
    @Test
    void theLoopThreadsCallsNeverWaitForALock() throws Exception {
        SendQueue queue = new SendQueue(1 << 20, 1024, 2048);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (queue) {
                held.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        holder.start();
        try {
            assertThat(held.await(10, TimeUnit.SECONDS), is(true));
            CompletableFuture<String> loopThread = CompletableFuture.supplyAsync(() -> {
                boolean empty = queue.isEmpty();
                SendQueue.Reservation r = queue.reserve(100);
                SendQueue.Item item = new SendQueue.Item(ByteBuffer.allocate(100), new InetSocketAddress("127.0.0.1", 9));
                queue.add(item);
                SendQueue.Item head = queue.peek();
                queue.remove(head);
                return empty + " " + r + " " + (head == item) + " " + queue.takeWentUnwritable() + " " + queue.size()
                        + " " + queue.isWritable() + " " + queue.clear() + " " + queue.isEmpty();
            });
            assertThat(loopThread.get(10, TimeUnit.SECONDS), is("true ACCEPTED true false 0 true 0 true"));
        } finally {
            release.countDown();
            holder.join(10_000);
        }
    }

    /**
     * Eight senders reserve, add and sometimes take back while one consumer drains, as the
     * loop does, and reports writability as the endpoint does: every datagram accepted is
     * consumed exactly once, the bounds hold at every moment, and once everything has drained
     * the queue is empty, writable, and a sender that was refused has heard "writable" after
     * its refusal.
     */
    @Test
    void eightSendersAndOneConsumerLoseNothingAndKeepTheBounds() throws Exception {
        int maxBytes = 16 * 1024;
        int maxDatagrams = 64;
        int maxDatagram = 512;
        int perSender = 20_000;
        SendQueue queue = new SendQueue(maxBytes, maxDatagrams, maxDatagram);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicBoolean sendersDone = new AtomicBoolean();
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 9);
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int sender = t;
            running.add(senders.submit(() -> {
                for (int i = 0; i < perSender; i++) {
                    int length = 8 + (i * 31 + sender * 7) % (maxDatagram - 8);
                    SendQueue.Reservation r = queue.reserve(length);
                    if (r == SendQueue.Reservation.REFUSED) {
                        refused.incrementAndGet();
                        Thread.onSpinWait();
                        continue;
                    }
                    ByteBuffer copy = ByteBuffer.allocate(length);
                    copy.putLong(0, ((long) sender << 32) | i);
                    SendQueue.Item item = new SendQueue.Item(copy, to);
                    queue.add(item);
                    accepted.incrementAndGet();
                }
                return null;
            }));
        }
        long consumed = 0;
        long lastFromSender = 0;
        boolean notifiedWritable = true;
        java.util.Set<Long> seen = new java.util.HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertThat("datagrams queued at once", queue.size(), lessThanOrEqualTo(maxDatagrams));
            SendQueue.Item head = queue.peek();
            if (head != null) {
                queue.remove(head);
                consumed++;
                assertThat("consumed twice", seen.add(head.data().getLong(0)), is(true));
            }
            // As the endpoint reports writability.
            if (queue.takeWentUnwritable() && notifiedWritable) {
                notifiedWritable = false;
            }
            if (queue.isWritable() != notifiedWritable) {
                notifiedWritable = !notifiedWritable;
            }
            if (head == null && !sendersDone.get() && running.stream().allMatch(Future::isDone)) {
                sendersDone.set(true);
                for (Future<?> f : running) {
                    f.get(); // a sender that failed fails the test now
                }
                lastFromSender = refused.get();
                continue; // one more pass with every sender done
            }
            if (head == null && sendersDone.get() && queue.isEmpty()) {
                break;
            }
            assertThat("drained within 60 s", System.nanoTime() - deadline < 0, is(true));
        }
        for (Future<?> f : running) {
            f.get(10, TimeUnit.SECONDS);
        }
        senders.shutdown();
        assertThat(consumed, is(accepted.get()));
        assertThat(consumed + refused.get(), is(8L * perSender));
        assertThat(queue.isEmpty(), is(true));
        assertThat(queue.size(), is(0));
        assertThat(queue.isWritable(), is(true));
        assertThat("the consumer's view ends writable", notifiedWritable, is(true));
        assertThat("senders were refused (the bounds were reached)", lastFromSender > 0, is(true));
    }
}
