package dev.loopwire.loop.iocp.internal.windows;

import dev.loopwire.loop.CompletionPort.DatagramListener;
import dev.loopwire.loop.IocpPort;
import dev.loopwire.loop.iocp.internal.LoopContext;
import dev.loopwire.loop.iocp.internal.BackendSocket;
import dev.loopwire.loop.iocp.internal.CompletionBackend;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.util.ArrayDeque;

/**
 * The Windows IOCP {@link CompletionBackend}: one {@link IocpDriver} (one completion port) and its
 * {@link IocpDatagram}s.
 *
 * <p>IOCP starts every operation with its own system call ({@code WSARecvFrom},
 * {@code WSASendTo}), so unlike io_uring there is nothing to submit in {@link #await}; it
 * dequeues up to {@link #COMPLETIONS_PER_WAIT} completions with one
 * {@code GetQueuedCompletionStatusEx} and, if that filled the array, drains a few more rounds
 * without waiting. Waits have millisecond granularity (the system timer may round them up
 * further). Failures of operations that could not even start are reported on the next loop
 * turn, never from inside the caller's own call.
 *
 * <p><b>Lifecycle.</b> The constructor starts Winsock and creates the port; {@link #close()}
 * releases both after the loop has closed every socket.
 *
 * <p><b>Thread-safety.</b> Loop thread only, except {@link #wakeup()}, {@link #sockets()} and
 * {@link #inflight()}.
 */
public final class IocpBackend implements CompletionBackend, IocpDriver.CompletionHandler {

    /** Completions dequeued by one wait. */
    public static final int COMPLETIONS_PER_WAIT = 256;

    private static final int DRAIN_ROUNDS = 4;

    private final IocpDriver driver;
    private final LoopIocpPort port;
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    private volatile int sockets;
    private volatile int inflight;

    /** Starts Winsock and creates the completion port. */
    public IocpBackend() throws IOException {
        this(WinApi.NATIVE);
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
    public BackendSocket openDatagram(ProtocolFamily family, DatagramListener listener) throws IOException {
        IocpSocket socket = driver.openDatagram(family, IocpDatagram.RECEIVES + IocpDatagram.SENDS);
        IocpDatagram datagram = new IocpDatagram(this, driver, socket, listener);
        socket.attach(datagram);
        sockets = sockets + 1;
        return datagram;
    }

    @Override
    public void await(long timeoutNanos) throws IOException {
        port.finishClosed();
        int handled = driver.poll(deferred.isEmpty() && !port.hasWork() ? toMillis(timeoutNanos) : 0, this);
        for (int round = 0; handled == COMPLETIONS_PER_WAIT && round < DRAIN_ROUNDS; round++) {
            handled = driver.poll(0, this);
        }
        port.deliverFailed();
        port.finishClosed();
        // Only what was deferred before now: a failure reported here may defer another.
        for (int n = deferred.size(); n > 0; n--) {
            deferred.poll().run();
        }
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
    public void completed(IocpOperation op, int bytes, int error) {
        ((IocpDatagram) op.socket().attachment()).completed(op, bytes, error);
    }

    @Override
    public void closed(IocpSocket socket) {
        ((IocpDatagram) socket.attachment()).closedByDriver();
    }

    @Override
    public void wakeup() {
        driver.wakeup();
    }

    @Override
    public int sockets() {
        return sockets + port.liveRegistrations();
    }

    @Override
    public int inflight() {
        return inflight;
    }

    @Override
    public void close() {
        deferred.clear();
        port.shutdown();
        driver.close(() -> port.inflight() > 0);
        port.release();
    }

    void defer(Runnable task) {
        deferred.add(task);
    }

    void opStarted() {
        inflight = inflight + 1;
    }

    void opEnded() {
        inflight = inflight - 1;
    }

    void socketClosed() {
        sockets = sockets - 1;
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
        return "iocp[sockets=" + sockets + " inflight=" + inflight + " deferred=" + deferred.size() + " " + port + "]";
    }
}
