package dev.loopwire.reliability;

import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.EventLoops;
import dev.loopwire.loop.spi.EventLoopProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;

/** The loops every suite here runs on, and the sizes it runs at. */
final class Loops {

    /** {@code -Dloopwire.stress=full} runs the sizes; anything else the reduced ones. */
    static final boolean FULL = "full".equals(System.getProperty("loopwire.stress"));

    private Loops() {
    }

    static Stream<Named<String>> names() {
        return Stream.of(Named.of("selector", "selector"), Named.of("completion", "completion"));
    }

    /**
     * Opens a loop by name. The completion loop needs io_uring: where it is unavailable the test
     * is skipped with the reason, unless {@code -Dloopwire.require} names io_uring (CI), where it
     * fails.
     */
    static EventLoop open(String name) {
        if (name.equals("completion")) {
            EventLoopProvider p = EventLoops.providers().stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("the completion loop module is not on the module path"));
            var availability = EventLoops.availability(p);
            if (!availability.isAvailable()) {
                if (System.getProperty("loopwire.require", "").contains("io_uring")) {
                    throw new AssertionError("io_uring is required here but unavailable: " + availability.reason());
                }
                Assumptions.assumeTrue(false, "io_uring unavailable: " + availability.reason());
            }
        }
        return EventLoops.open(name);
    }

    static Supplier<EventLoop> factory(String name) {
        return () -> open(name);
    }

    /** Open file descriptors of this JVM. */
    static int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
