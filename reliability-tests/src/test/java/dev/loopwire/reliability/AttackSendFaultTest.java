// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static dev.loopwire.reliability.SoakTest.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A send whose copy of the user's buffer fails with an Error (a mapped file truncated under the
 * buffer: reading it raises InternalError) must not leave the queue counting a datagram that
 * never came: the endpoint goes on sending, and its close completes.
 */
class AttackSendFaultTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource(AttackSupport.KINDS)
    void aSendWhoseCopyFailsWithAnErrorLeavesTheQueueUsableAndTheCloseCompletes(String kind) throws Exception {
        EventLoop loop = AttackSupport.open(kind);
        Path file = Files.createTempFile("attack-send-fault", ".bin");
        try (DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            fc.write(ByteBuffer.allocate(8192));
            MappedByteBuffer mapped = fc.map(FileChannel.MapMode.READ_ONLY, 0, 8192);
            fc.truncate(0);
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            DatagramEndpoint e = await(Udp.bind(new InetSocketAddress("127.0.0.1", 0), new Recorder(), loop));
            ByteBuffer bad = mapped.slice(0, 1000);
            Throwable thrown = assertThrows(Throwable.class, () -> e.send(bad, to));
            System.out.println("AttackSendFaultTest " + kind + ": send threw " + thrown);
            assertThat("a later send is accepted", e.send(ByteBuffer.wrap(new byte[] {1}), to), is(true));
            e.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            closeBounded(loop);
            Files.deleteIfExists(file);
        }
    }
}
