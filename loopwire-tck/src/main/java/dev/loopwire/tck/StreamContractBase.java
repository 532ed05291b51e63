// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.tck;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.transport.tcp.StreamHandler;
import dev.loopwire.transport.tcp.Tcp;
import dev.loopwire.transport.tcp.TcpListener;
import dev.loopwire.transport.tcp.TcpOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the stream contract suites share: the loop under test (opened fresh for each test by
 * {@link #openLoop()}) and small helpers. Extend {@link StreamContract}, which runs them all.
 */
public abstract class StreamContractBase {


    static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 0);
    static final InetSocketAddress V6 = new InetSocketAddress("::1", 0);

    /** The loop under test: opened by {@link #openLoop()} before each test, closed after it. */
    protected EventLoop loop;

    /** For subclasses. */
    protected StreamContractBase() {
    }

    /**
     * Opens a fresh loop for one test; the suite closes it after the test. Some tests open (and
     * close) further loops with it, so it must return a new loop on every call. To test one
     * provider among several that fit the loop, make the registry choose it here (with
     * {@code Transports.deny} or {@code Transports.prefer}) and undo that after the test.
     *
     * @return a new, running loop
     */
    protected abstract EventLoop openLoop();

    @BeforeEach
    void openTheLoop() {
        loop = openLoop();
    }

    @AfterEach
    void closeTheLoop() {
        if (loop != null) {
            loop.close();
        }
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, SECONDS);
    }

    static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(20, SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the stage to fail");
    }

    static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed + (i >>> 16));
        }
        return b;
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    TcpListener listen(InetSocketAddress at, java.util.function.Supplier<? extends StreamHandler> handlers,
            TcpOptions options) throws Exception {
        return await(Tcp.listen(at, handlers, options, loop));
    }

    Socket plainClient(TcpListener listener) throws IOException {
        Socket s = new Socket();
        s.connect(listener.localAddress(), 10_000);
        s.setSoTimeout(20_000);
        return s;
    }

    <T> CompletionStage<T> runOnLoop(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    static void sleep(long millis) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(millis);
    }

    static void assertBelow(long value, long bound) {
        assertThat(value, lessThanOrEqualTo(bound));
    }

    static void assertLess(long value, long bound) {
        assertThat(value, lessThan(bound));
    }
}
