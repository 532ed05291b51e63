// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.AttackSupport.closeBounded;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpConnection;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.udp.DatagramEndpoint;
import dev.loopwire.transport.udp.Udp;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Opening UDP endpoints, TCP listeners and connections from one thread while another closes the
 * loop: every returned stage must complete (with an open object, or exceptionally), and what
 * opened must end closed with its fd released. A stage that never completes is a hang for the
 * caller.
 */
class AttackOpenRaceTest {

    static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void udpBindsRacingLoopCloseAllComplete(String kind) throws Exception {
        long base = Proc.baselineFds();
        for (int round = 0; round < 10; round++) {
            EventLoop loop = AttackSupport.open(kind);
            List<CompletableFuture<DatagramEndpoint>> stages = new CopyOnWriteArrayList<>();
            CyclicBarrier go = new CyclicBarrier(2);
            CompletableFuture<Void> binder = CompletableFuture.runAsync(() -> {
                AttackTcpTest.barrier(go);
                for (int i = 0; i < 50; i++) {
                    try {
                        stages.add(Udp.bind(V4, new Recorder(), loop).toCompletableFuture());
                    } catch (RuntimeException refused) {
                        stages.add(CompletableFuture.failedFuture(refused));
                    }
                }
            });
            CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
                AttackTcpTest.barrier(go);
                loop.close();
            });
            binder.get(15, TimeUnit.SECONDS);
            closer.get(15, TimeUnit.SECONDS);
            int pending = 0;
            for (CompletableFuture<DatagramEndpoint> s : stages) {
                try {
                    DatagramEndpoint e = s.get(2, TimeUnit.SECONDS);
                    e.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    pending++;
                } catch (java.util.concurrent.ExecutionException e) {
                    // refused: fine
                }
            }
            assertThat("round " + round + ": bind stages never completed, of " + stages.size(), pending, is(0));
        }
        assertThat("fds back to baseline", Proc.awaitFds(base), is(base));
    }

    @ParameterizedTest
    @MethodSource(AttackSupport.KINDS)
    void tcpListensAndConnectsRacingLoopCloseAllComplete(String kind) throws Exception {
        EventLoop serverLoop = AttackSupport.open("selector");
        TcpListener server = AttackSupport.get(Tcp.listen(V4, AttackTcpRecorder::new, serverLoop));
        long base = Proc.baselineFds(serverLoop);
        try {
            for (int round = 0; round < 10; round++) {
                EventLoop loop = AttackSupport.open(kind);
                List<CompletableFuture<?>> stages = new CopyOnWriteArrayList<>();
                CyclicBarrier go = new CyclicBarrier(2);
                CompletableFuture<Void> opener = CompletableFuture.runAsync(() -> {
                    AttackTcpTest.barrier(go);
                    for (int i = 0; i < 30; i++) {
                        try {
                            stages.add(i % 3 == 0
                                    ? Tcp.listen(V4, AttackTcpRecorder::new, loop).toCompletableFuture()
                                    : Tcp.connect(server.localAddress(), new AttackTcpRecorder(), loop).toCompletableFuture());
                        } catch (RuntimeException refused) {
                            stages.add(CompletableFuture.failedFuture(refused));
                        }
                    }
                });
                CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
                    AttackTcpTest.barrier(go);
                    loop.close();
                });
                opener.get(15, TimeUnit.SECONDS);
                closer.get(15, TimeUnit.SECONDS);
                int pending = 0;
                List<String> kinds = new ArrayList<>();
                for (CompletableFuture<?> s : stages) {
                    try {
                        Object o = s.get(2, TimeUnit.SECONDS);
                        if (o instanceof TcpConnection c) {
                            c.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
                        } else if (o instanceof TcpListener l) {
                            l.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
                        }
                    } catch (java.util.concurrent.TimeoutException e) {
                        pending++;
                        kinds.add(String.valueOf(s));
                    } catch (java.util.concurrent.ExecutionException e) {
                        // refused: fine
                    }
                }
                assertThat("round " + round + ": stages never completed, of " + stages.size(), pending, is(0));
            }
        } finally {
            AttackSupport.get(server.close());
            closeBounded(serverLoop);
        }
    }
}
