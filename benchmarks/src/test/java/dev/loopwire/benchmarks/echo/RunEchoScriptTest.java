// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every server in run-echo.sh's list names a class with a main method (the script runs them by name). */
class RunEchoScriptTest {

    @Test
    void everyServerInTheScriptHasAMainMethod() throws Exception {
        String script = Files.readString(Path.of("run-echo.sh"));
        Matcher m = Pattern.compile("^\\s*\"([a-z0-9_-]+)\\|\\$JAVA_CMD (dev\\.loopwire\\.benchmarks\\.echo\\.\\w+) ",
                Pattern.MULTILINE).matcher(script);
        List<String> names = new java.util.ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
            Method main = Class.forName(m.group(2)).getMethod("main", String[].class);
            assertThat(m.group(2) + ".main is static", Modifier.isStatic(main.getModifiers()), is(true));
        }
        assertThat(names, hasItems("jdk-selector", "netty-epoll", "loopwire-selector", "loopwire-completion"));
    }
}
