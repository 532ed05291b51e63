// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.tcp.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the write queue promises the providers about its copies: small writes share a chunk (one
 * send for many writes), a send sees only the bytes present when it looked, copies go back to
 * their pool when sent, and never while a send in flight may still read them.
 */
class WriteQueueTest {

    /** A pool of 16-byte chunks that records what comes back. */
    private static final class Chunks implements WriteQueue.Copies {
        final List<ByteBuffer> taken = new ArrayList<>();
        final List<ByteBuffer> givenBack = new ArrayList<>();

        @Override
        public ByteBuffer take(int bytes) {
            ByteBuffer b = ByteBuffer.allocateDirect(16).limit(0);
            taken.add(b);
            return b;
        }

        @Override
        public void giveBack(ByteBuffer copy) {
            givenBack.add(copy);
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String ascii(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(b.position(), bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void smallWritesShareOneChunkAndLargeOnesSpanChunksInOrder() {
        Chunks chunks = new Chunks();
        WriteQueue q = new WriteQueue(0, 1 << 10, 1 << 10, chunks);
        q.offer(ascii("hello "), null, null);
        q.offer(ascii("world"), null, null);
        ByteBuffer[] out = new ByteBuffer[8];
        int[] lengths = new int[8];
        assertThat(q.fill(out, lengths), is(1));
        assertThat(ascii(out[0], lengths[0]), is("hello world"));

        q.offer(ascii("0123456789abcdefXYZ"), null, null); // 5 bytes fit the first chunk, 14 go to a second
        assertThat(q.fill(out, lengths), is(2));
        assertThat(ascii(out[0], lengths[0]) + ascii(out[1], lengths[1]), is("hello world0123456789abcdefXYZ"));
        assertThat(chunks.taken.size(), is(2));
        assertThat(q.bytes(), is(30L));
    }

    @Test
    void aSendSeesOnlyTheBytesPresentWhenItLooked() {
        WriteQueue q = new WriteQueue(0, 1 << 10, 1 << 10, new Chunks());
        q.offer(ascii("abc"), null, null);
        ByteBuffer[] out = new ByteBuffer[8];
        int[] lengths = new int[8];
        q.fill(out, lengths);
        q.offer(ascii("def"), null, null); // appended behind the range a send in flight names
        assertThat(lengths[0], is(3));
        assertThat(out[0].remaining(), is(6));
    }

    @Test
    void sentChunksGoBackToThePoolAndAnOwnedBufferToItsOwner() {
        Chunks chunks = new Chunks();
        WriteQueue q = new WriteQueue(0, 1 << 10, 1 << 10, chunks);
        ByteBuffer owned = ByteBuffer.allocateDirect(4);
        q.offer(ascii("abc"), null, null);
        q.offer(owned, b -> { }, null);
        q.offer(ascii("def"), null, null); // behind an owned buffer: a new chunk, not the first one
        assertThat(chunks.taken.size(), is(2));

        ByteBuffer[] out = new ByteBuffer[8];
        int count = q.fill(out);
        for (int i = 0; i < count; i++) {
            out[i].position(out[i].limit());
        }
        List<WriteQueue.Entry> released = new ArrayList<>();
        assertThat(q.consumed(10, released), is(true));
        assertThat(chunks.givenBack, contains(chunks.taken.get(0), chunks.taken.get(1)));
        assertThat(released.size(), is(1));
        assertThat(released.get(0).data() == owned, is(true));
    }

    @Test
    void aDroppedQueueKeepsItsCopiesFromThePoolWhileASendMayReadThem() {
        Chunks chunks = new Chunks();
        WriteQueue q = new WriteQueue(0, 1 << 10, 1 << 10, chunks);
        q.offer(ascii("abc"), null, null);
        q.drop(new ArrayList<>(), false);
        assertThat(chunks.givenBack, is(empty()));

        q.offer(ascii("def"), null, null);
        q.drop(new ArrayList<>(), true);
        assertThat(chunks.givenBack, contains(chunks.taken.get(1)));
        assertThat(q.isEmpty(), is(true));
        assertThat(q.bytes(), is(0L));
    }

    @Test
    void heapCopiesAreExactAndNeverAppendedTo() {
        WriteQueue q = new WriteQueue(0, 1 << 10, 1 << 10);
        q.offer(ascii("abc"), null, null);
        q.offer(ascii("de"), null, null);
        ByteBuffer[] out = new ByteBuffer[8];
        assertThat(q.fill(out), is(2));
        assertThat(out[0].isDirect(), is(false));
        assertThat(out[0].capacity(), is(3));
        assertThat(out[1].capacity(), is(2));
    }

    @Test
    void theRingWrapsAndGrowsInOrder() {
        WriteQueue q = new WriteQueue(0, 1 << 10, 1 << 10);
        ByteBuffer[] out = new ByteBuffer[32];
        for (int i = 0; i < 6; i++) {
            q.offer(ascii("-"), null, null);
        }
        q.fill(out);
        for (int i = 0; i < 6; i++) {
            out[i].position(1);
        }
        q.consumed(6, new ArrayList<>()); // the head is now in the middle of the ring
        for (int i = 0; i < 20; i++) {
            q.offer(ascii(String.valueOf((char) ('a' + i))), null, null);
        }
        int count = q.fill(out);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < count; i++) {
            all.append(ascii(out[i], out[i].remaining()));
        }
        assertThat(all.toString(), is("abcdefghijklmnopqrst"));
    }
}
