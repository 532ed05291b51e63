// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.jmh;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The benchmark's own plumbing, without JMH: every server kind echoes what the client sends. */
class DatagramPathBenchmarkTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdk", "selector", "completion"})
    void everyOperationGetsItsEchoBack(String loop) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            DatagramPathBenchmark benchmark = new DatagramPathBenchmark();
            benchmark.loop = loop;
            benchmark.size = 64;
            benchmark.open();
            try {
                for (int i = 0; i < 100; i++) {
                    assertThat(benchmark.echo(), is(64));
                }
                for (int i = 0; i < 10; i++) {
                    assertThat(benchmark.echoBurst(), is(64 * DatagramPathBenchmark.BURST));
                }
            } finally {
                benchmark.close();
            }
        });
    }
}
