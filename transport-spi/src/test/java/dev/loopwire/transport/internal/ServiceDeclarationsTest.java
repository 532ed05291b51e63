// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module path reads {@code provides}; the class path reads META-INF/services. They must agree. */
class ServiceDeclarationsTest {

    @Test
    void providesClausesAndServicesFilesAgree() throws IOException {
        Module module = getClass().getModule();
        assertThat(module.isNamed(), is(true));
        for (ModuleDescriptor.Provides provides : module.getDescriptor().provides()) {
            Set<String> declared = new TreeSet<>(provides.providers());
            Set<String> listed;
            try (InputStream in = module.getResourceAsStream("META-INF/services/" + provides.service())) {
                assertThat("META-INF/services/" + provides.service() + " exists", in != null, is(true));
                listed = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                        .map(String::trim).filter(s -> !s.isEmpty() && !s.startsWith("#"))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
            assertThat(provides.service(), listed, is(declared));
        }
        assertThat(module.getDescriptor().provides().isEmpty(), is(false));
    }
}
