// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.udp.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.transport.Transports;
import dev.loopwire.transport.spi.TransportProvider;
import dev.loopwire.transport.udp.Udp;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReadinessUdpProviderTest {

    @Test
    void servicesFileAgreesWithModuleProvides() throws Exception {
        Module module = ReadinessUdpProvider.class.getModule();
        assertThat(module.getName(), is("dev.loopwire.transport.udp"));
        Set<String> provides = module.getDescriptor().provides().stream()
                .filter(p -> p.service().equals(TransportProvider.class.getName()))
                .flatMap(p -> p.providers().stream()).collect(Collectors.toSet());
        Set<String> services;
        try (InputStream in = module.getResourceAsStream("META-INF/services/" + TransportProvider.class.getName())) {
            assertThat("services file present", in != null, is(true));
            services = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toSet());
        }
        assertThat(services, is(provides));
        assertThat(provides, is(Set.of(ReadinessUdpProvider.class.getName(), UringUdpProvider.class.getName(),
                IocpUdpProvider.class.getName())));
    }

    @Test
    void providerDescribesItself() {
        ReadinessUdpProvider provider = new ReadinessUdpProvider();
        assertThat(provider.key(), is(Udp.BIND));
        assertThat(provider.key().name(), is("dev.loopwire.transport.udp.bind"));
        assertThat(provider.requires(), is(Set.of(FdReadiness.class)));
        assertThat(provider.availability().isAvailable(), is(true));
    }

    @Test
    void registryResolvesItForASelectorLoop() {
        try (EventLoop loop = EventLoops.open("selector")) {
            assertThat(Transports.resolve(loop, Udp.BIND), instanceOf(ReadinessUdpBinder.class));
            assertThat(new ReadinessUdpProvider().create(loop), instanceOf(ReadinessUdpBinder.class));
        }
    }
}
