// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.selector.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.Timers;
import dev.loopwire.loop.selector.SelectorLoop;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SelectorLoopProviderTest {

    @Test
    void servicesFileAgreesWithModuleProvides() throws Exception {
        Module module = SelectorLoopProvider.class.getModule();
        assertThat(module.getName(), is("dev.loopwire.loop.selector"));
        Set<String> provides = module.getDescriptor().provides().stream()
                .filter(p -> p.service().equals(EventLoopProvider.class.getName()))
                .flatMap(p -> p.providers().stream()).collect(Collectors.toSet());
        Set<String> services;
        try (InputStream in = module.getResourceAsStream("META-INF/services/" + EventLoopProvider.class.getName())) {
            assertThat("services file present", in != null, is(true));
            services = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toSet());
        }
        assertThat(services, is(provides));
        assertThat(provides, is(Set.of(SelectorLoopProvider.class.getName())));
        assertThat(module.getDescriptor().provides().stream().map(ModuleDescriptor.Provides::service)
                .collect(Collectors.toList()), is(List.of(EventLoopProvider.class.getName())));
    }

    @Test
    void providerDescribesTheSelectorLoop() {
        SelectorLoopProvider provider = new SelectorLoopProvider();
        assertThat(provider.name(), is("selector"));
        assertThat(provider.priority(), is(0));
        assertThat(provider.availability().isAvailable(), is(true));
        assertThat(provider.capabilities(), is(Set.of(FdReadiness.class, Timers.class)));
    }

    @Test
    void eventLoopsOpensASelectorLoopByName() {
        assertThat(EventLoops.providers().stream().anyMatch(p -> p instanceof SelectorLoopProvider), is(true));
        try (EventLoop loop = EventLoops.open("selector")) {
            assertThat(loop, instanceOf(SelectorLoop.class));
            assertThat(loop.capabilities(), is(new SelectorLoopProvider().capabilities()));
        }
    }
}
