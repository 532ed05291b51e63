package dev.loopwire.loop;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * An event loop: one thread that runs callbacks and drives I/O for the transports opened on it.
 *
 * <p>The interface is deliberately small. Transports never add methods here: a transport is
 * opened by a static entry point that takes the loop as an argument and is resolved by
 * {@code dev.loopwire.transport.Transports} from the loop's own implementations
 * ({@link #implementation}) or from providers that need only the loop's
 * {@linkplain #capabilities() capabilities}.
 *
 * <p><b>Lifecycle.</b> A loop starts running when it is opened. {@link #close()} is graceful: it
 * stops accepting work ({@link #execute} then throws
 * {@link java.util.concurrent.RejectedExecutionException}), runs what was already submitted,
 * releases every resource it owns, and returns once the loop thread has ended. Closing twice
 * is a no-op; closing from a callback on the loop thread is allowed and completes after the
 * callback returns.
 *
 * <p><b>Concurrency.</b> {@link #execute}, {@link #name()}, {@link #capabilities()},
 * {@link #capability}, {@link #implementation}, {@link #inLoop()} and {@link #close()} may be
 * called from any thread. Tasks run on the loop thread in the order they were submitted.
 */
public interface EventLoop extends Executor, AutoCloseable {

    /** The loop's name, unique in this JVM, such as {@code selector-1}; never {@code null}. */
    String name();

    /** The capability interfaces this loop offers; never {@code null}, unmodifiable. */
    Set<Class<? extends Capability>> capabilities();

    /**
     * The loop's facet for a capability.
     *
     * @param type a capability interface, such as {@code FdReadiness.class}
     * @return the facet, or empty if the loop does not offer {@code type}
     */
    <C extends Capability> Optional<C> capability(Class<C> type);

    /**
     * The loop's own implementation of a transport: the first step of the double dispatch.
     *
     * @implSpec The default returns empty: the loop carries no loop-native transports.
     * @param key the transport's key
     * @return the implementation, or empty to let the registry look further
     */
    default <T> Optional<T> implementation(TransportKey<T> key) {
        return Optional.empty();
    }

    /** Whether the calling thread is this loop's thread. */
    boolean inLoop();

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    /**
     * Closes the loop gracefully and waits for its thread to end (unless called on the loop
     * thread itself, where it returns at once and the loop ends after the current callback).
     */
    @Override
    void close();
}
