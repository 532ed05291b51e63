// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.completion.CompletionLoop;
import dev.loopwire.loop.completion.internal.BackendLoops;
import dev.loopwire.loop.completion.internal.LoopContext;
import dev.loopwire.loop.completion.internal.CompletionBackend;
import java.io.IOException;

/**
 * The Windows IOCP {@link CompletionBackend}: one {@link IocpDriver} (one completion port) and the
 * raw {@link IocpPort} ({@link LoopIocpPort}) whose registrations use it.
 *
 * <p>IOCP starts every operation with its own system call ({@code WSARecv}, {@code ReadFile}...),
 * so unlike io_uring there is nothing to submit in {@link #await}; it
 * dequeues up to {@link #COMPLETIONS_PER_WAIT} completions with one
 * {@code GetQueuedCompletionStatusEx} and, if that filled the array, drains a few more rounds
 * without waiting. Waits have millisecond granularity (the system timer may round them up
 * further). Failures of operations that could not even start are reported on the next loop
 * turn, never from inside the caller's own call.
 *
 * <p><b>Lifecycle.</b> The constructor starts Winsock and creates the port; {@link #close()}
 * releases both after the raw port's registrations have ended.
 *
 * <p><b>Thread-safety.</b> Loop thread only, except {@link #wakeup()}, {@link #sockets()} and
 * {@link #inflight()}.
 */
public final class IocpBackend implements CompletionBackend {

    /** Completions dequeued by one wait. */
    public static final int COMPLETIONS_PER_WAIT = 256;

    private static final int DRAIN_ROUNDS = 4;

    private final IocpDriver driver;
    private final LoopIocpPort port;

    /** Starts Winsock and creates the completion port. */
    public IocpBackend() throws IOException {
        this(WinApi.NATIVE);
    }

    /**
     * A loop with {@code builder}'s settings on an IOCP backend over {@code api}: the simulator
     * module's way to run the IOCP code (and the transports written on {@code IocpPort}) where
     * Windows is not.
     *
     * @param builder the loop's settings
     * @param api the calls the backend makes, such as a simulated port
     * @return the running loop
     * @throws IOException if the backend cannot be set up on {@code api}
     */
    public static CompletionLoop open(CompletionLoop.Builder builder, WinApi api) throws IOException {
        return BackendLoops.start(builder, new IocpBackend(api));
    }

    /** On the given API; tests pass a simulated one. */
    IocpBackend(WinApi api) throws IOException {
        driver = IocpDriver.open(api, COMPLETIONS_PER_WAIT);
        port = new LoopIocpPort(api, driver.port(), new DetachedContext());
        driver.rawCompletions(port::completed);
    }

    @Override
    public void attach(LoopContext loop) {
        port.attach(loop);
    }

    /** The raw IOCP capability of this backend. */
    @Override
    public IocpPort iocpPort() {
        return port;
    }

    LoopIocpPort port() {
        return port;
    }

    IocpDriver driver() {
        return driver;
    }

    @Override
    public void loopClosing() {
        port.loopClosing();
    }

    @Override
    public String name() {
        return "iocp";
    }

    @Override
    public void await(long timeoutNanos) throws IOException {
        port.finishClosed();
        int handled = driver.poll(!port.hasWork() ? toMillis(timeoutNanos) : 0);
        for (int round = 0; handled == COMPLETIONS_PER_WAIT && round < DRAIN_ROUNDS; round++) {
            handled = driver.poll(0);
        }
        port.deliverFailed();
        port.finishClosed();
    }

    /** Milliseconds for GetQueuedCompletionStatusEx: -1 (INFINITE) for negative, rounded up otherwise. */
    static int toMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return Kernel32Ex.INFINITE;
        }
        long millis = timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1); // no overflow
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    @Override
    public void wakeup() {
        driver.wakeup();
    }

    @Override
    public int sockets() {
        return port.liveRegistrations();
    }

    @Override
    public int inflight() {
        return port.inflight();
    }

    @Override
    public void close() {
        port.shutdown();
        driver.close(() -> port.inflight() > 0);
        port.release();
    }

    /** Where failures go before a loop attaches (backend tests): the log; any thread counts as the loop's. */
    private static final class DetachedContext implements LoopContext {
        @Override
        public String name() {
            return "iocp";
        }

        @Override
        public boolean inLoop() {
            return true;
        }

        @Override
        public void handle(Throwable error) {
            System.getLogger(IocpBackend.class.getName()).log(System.Logger.Level.WARNING, "A completion handler threw",
                    error);
        }
    }

    @Override
    public String toString() {
        return "iocp[registrations=" + port.liveRegistrations() + " inflight=" + port.inflight() + " " + port + "]";
    }
}
