package dev.loopwire.loop.iocp;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EchoSmokeTest {

    @Test
    void echoes() throws Exception {
        RequireIoUring.check();
        try (CompletionLoop loop = CompletionLoop.open()) {
            Echo echo = new Echo(200_000, 128);
            long start = System.nanoTime();
            loop.execute(() -> {
                try {
                    echo.start(loop, StandardProtocolFamily.INET, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                } catch (Exception e) {
                    echo.done.completeExceptionally(e);
                }
            });
            echo.done.get(60, TimeUnit.SECONDS);
            System.out.println("echo/s " + 200_000 * 1e9 / (System.nanoTime() - start) + " " + loop);
            assertThat(echo.bad, is(0L));
        }
    }
}
