package dev.loopwire.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.reliability.probe.HijackingUdpProvider;
import dev.loopwire.reliability.probe.Probe;
import dev.loopwire.reliability.probe.RecordingProvider;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.Udp;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Hijack attempts, module encapsulation, and inspection that runs no provider code. */
class SecurityTest {

    static java.util.stream.Stream<org.junit.jupiter.api.Named<String>> loops() {
        return Loops.names();
    }

    @ParameterizedTest
    @MethodSource("loops")
    void aForeignProviderOfTheStandardUdpKeyIsRefusedWhateverItsPriority(String name) throws Exception {
        try (EventLoop loop = Loops.open(name)) {
            Explanation report = Transports.explain(loop, Udp.BIND);
            Explanation.Candidate hijacker = report.candidates().stream()
                    .filter(c -> c.className().equals(HijackingUdpProvider.class.getName())).findFirst().orElseThrow();
            assertThat(hijacker.verdict(), is(Explanation.Verdict.PASSED_OVER));
            assertThat(hijacker.reason(), is("foreign: dev.loopwire.reliability does not own"
                    + " 'dev.loopwire.transport.udp.bind' (owner: dev.loopwire.transport.udp); allow it with"
                    + " -Dloopwire.allow=" + HijackingUdpProvider.class.getName()));
            // And a real bind goes through loopwire's own provider.
            var endpoint = Udp.bind(new java.net.InetSocketAddress("127.0.0.1", 0), (d, s) -> { }, loop)
                    .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            endpoint.close().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void explainAndInspectionRunNoProviderCode() {
        try (EventLoop loop = Loops.open("selector")) {
            int created = RecordingProvider.CREATED.get();
            Explanation report = Transports.explain(loop, Probe.KEY);
            Transports.providers();
            assertThat(report.chosen().orElseThrow().name(), is("RecordingProvider"));
            assertThat(RecordingProvider.CREATED.get(), is(created));
            Transports.resolve(loop, Probe.KEY);
            assertThat(RecordingProvider.CREATED.get(), is(created + 1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "dev.loopwire.transport.internal.Registry",
        "dev.loopwire.transport.udp.internal.ReadinessUdpProvider",
        "dev.loopwire.loop.selector.internal.SelectorLoopProvider",
        "dev.loopwire.loop.iocp.internal.uring.Ring",
        "dev.loopwire.loop.internal.TimerQueue",
    })
    void internalPackagesAreNotExported(String className) throws Exception {
        Class<?> type = Class.forName(className);
        assertThat(type.getModule().isExported(type.getPackageName(), getClass().getModule()), is(false));
        var constructors = type.getDeclaredConstructors();
        var e = assertThrows(RuntimeException.class, () -> constructors[0].setAccessible(true));
        assertThat(e.getClass().getName(), is("java.lang.reflect.InaccessibleObjectException"));
        // "does not \"exports <pkg>\"" for public members, "does not \"opens <pkg>\"" for the rest.
        assertThat(e.getMessage(), containsString(" " + type.getPackageName() + "\" to module dev.loopwire.reliability"));
    }

    @Test
    void theExportedApiIsWhatTheModulesDeclare() {
        List<String> udp = Udp.class.getModule().getDescriptor().exports().stream()
                .map(x -> x.source() + (x.isQualified() ? " to " + x.targets() : "")).sorted().toList();
        assertThat(udp, is(List.of("dev.loopwire.transport.udp")));
    }
}
