// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark's own plumbing, without JMH: every server kind echoes what the client sends, and
 * the server thread's counter sees every datagram.
 */
class DatagramPathBenchmarkTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdk", "selector", "completion"})
    void everyOperationGetsItsEchoBack(String loop) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            DatagramPathBenchmark benchmark = new DatagramPathBenchmark();
            benchmark.loop = loop;
            benchmark.size = 64;
            DatagramPathBenchmark.ServerThreadAllocation allocation = new DatagramPathBenchmark.ServerThreadAllocation();
            benchmark.open();
            try {
                assertThat(benchmark.echo(allocation), is(64));
                allocation.start();
                for (int i = 0; i < 100; i++) {
                    assertThat(benchmark.echo(allocation), is(64));
                }
                for (int i = 0; i < 10; i++) {
                    assertThat(benchmark.echoBurst(allocation), is(64 * DatagramPathBenchmark.BURST));
                }
                allocation.stop();
                assertThat(allocation.datagrams, is(100L + 10L * DatagramPathBenchmark.BURST));
                assertThat(allocation.serverBytes >= 0, is(true));
            } finally {
                benchmark.close();
            }
        });
    }
}
