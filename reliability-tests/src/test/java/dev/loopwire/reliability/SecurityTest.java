// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.reliability;

import static dev.loopwire.reliability.SoakTest.ANY;
import static dev.loopwire.reliability.SoakTest.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.reliability.fixtures.Probe;
import dev.loopwire.reliability.fixtures.RecordingProvider;
import dev.loopwire.reliability.fixtures.RogueUdpProvider;
import dev.loopwire.transport.Explanation;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.udp.Udp;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hijack attempts from inside the process are refused by default, internals stay sealed, and
 * {@code explain} runs no provider's {@code create}.
 */
class SecurityTest {

    static final String ROGUE = RogueUdpProvider.class.getName();

    @ParameterizedTest(name = "{0}")
    @MethodSource(Loops.SOURCE)
    void aDiscoveredForeignProviderForTheUdpKeyIsRefused(String kind) throws Exception {
        try (EventLoop loop = Loops.open(kind)) {
            Explanation report = Transports.explain(loop, Udp.BIND);
            Explanation.Candidate rogue = report.candidates().stream()
                    .filter(c -> c.className().equals(ROGUE)).findFirst()
                    .orElseThrow(() -> new AssertionError("rogue provider not discovered:\n" + report));
            assertThat(rogue.verdict(), is(Explanation.Verdict.PASSED_OVER));
            assertThat(rogue.reason(), is("foreign: dev.loopwire.reliability does not own"
                    + " 'dev.loopwire.transport.udp.bind' (owner: dev.loopwire.transport.udp);"
                    + " allow it with -Dloopwire.allow=" + ROGUE));
            assertThat(report.chosen().orElseThrow().className().startsWith("dev.loopwire.transport.udp.internal."), is(true));
            await(Udp.bind(ANY, new Recorder(), loop).thenCompose(e -> e.close()));
            assertThat("the rogue provider's create ran", RogueUdpProvider.CREATED.get(), is(0));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "dev.loopwire.transport.internal.SelectorThreadAdapter",
            "dev.loopwire.transport.udp.internal.ReadinessUdpProvider",
            "dev.loopwire.loop.selector.internal.SelectorLoopProvider",
            "dev.loopwire.loop.completion.internal.uring.UringProbe"})
    void internalPackagesCannotBeReachedByReflection(String className) throws Exception {
        Class<?> type = Class.forName(className);
        assertThat(type.getModule().isExported(type.getPackageName(), getClass().getModule()), is(false));
        assertThat(type.getModule().isOpen(type.getPackageName(), getClass().getModule()), is(false));
        Constructor<?> constructor = type.getDeclaredConstructors()[0];
        InaccessibleObjectException sealed = assertThrows(InaccessibleObjectException.class,
                () -> constructor.setAccessible(true));
        // "exports" for a public member, "opens" for a private one: neither is granted.
        assertThat(sealed.getMessage(), containsString("module " + type.getModule().getName() + " does not \""));
        assertThat(sealed.getMessage(), containsString(" " + type.getPackageName() + "\" to module dev.loopwire.reliability"));
        Method publicMethod = Arrays.stream(type.getMethods())
                .filter(m -> m.getDeclaringClass() == type && Modifier.isPublic(m.getModifiers()))
                .findFirst().orElseThrow();
        Object receiver = Modifier.isStatic(publicMethod.getModifiers()) ? null : new Object();
        IllegalAccessException refused = assertThrows(IllegalAccessException.class,
                () -> publicMethod.invoke(receiver, new Object[publicMethod.getParameterCount()]));
        assertThat(refused.getMessage(), containsString("does not export " + type.getPackageName() + " to module dev.loopwire.reliability"));
    }

    @Test
    void explainRunsNoCreateAndResolveRunsItOnce() throws Exception {
        try (EventLoop loop = Loops.open("selector")) {
            int created = RecordingProvider.CREATED.get();
            Explanation before = Transports.explain(loop, Probe.KEY);
            assertThat(before.chosen().orElseThrow().className(), is(RecordingProvider.class.getName()));
            assertThat("create calls during explain", RecordingProvider.CREATED.get(), is(created));
            assertThat(Transports.resolve(loop, Probe.KEY).loopName(), is(loop.name()));
            assertThat(RecordingProvider.CREATED.get(), is(created + 1));
            Transports.explain(loop, Probe.KEY);
            Transports.resolve(loop, Probe.KEY);
            assertThat("create calls after explain + cached resolve", RecordingProvider.CREATED.get(), is(created + 1));
            // Decided: explain may ask availability() (a cheap probe, per the SPI), and discovery
            // instantiates providers (constructors must do no work); neither creates anything.
            System.out.println("RecordingProvider: constructed=" + RecordingProvider.CONSTRUCTED.get()
                    + " availability=" + RecordingProvider.AVAILABILITY.get() + " create=" + RecordingProvider.CREATED.get());
        }
    }

    @Test
    void theServicesFileAgreesWithTheModuleDescriptor() throws Exception {
        Module module = getClass().getModule();
        for (ModuleDescriptor.Provides provides : module.getDescriptor().provides()) {
            String path = "META-INF/services/" + provides.service();
            Set<String> listed = new TreeSet<>();
            try (InputStream in = module.getResourceAsStream(path)) {
                assertThat(path + " exists", in != null, is(true));
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                        .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(listed::add);
            }
            assertThat(listed, is(new TreeSet<>(provides.providers())));
        }
        assertThat(module.getDescriptor().provides().stream().map(ModuleDescriptor.Provides::service)
                .collect(Collectors.toList()), is(List.of("dev.loopwire.transport.spi.TransportProvider")));
    }
}
